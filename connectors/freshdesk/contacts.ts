import { z } from 'zod';
import { ConnectorError } from '../errors.js';
import { refused } from './errors.js';
import type { FreshdeskHttp } from './http.js';
import type { FreshdeskContact } from './resources.js';
import { freshdeskAgent, freshdeskContact } from './resources.js';

type Lookup = { email: string } | { uniqueExternalId: string };

/** A 404 on a delete: someone (or a lost earlier attempt) got there first, which is the goal. */
async function gone(action: Promise<unknown>): Promise<void> {
  try {
    await action;
  } catch (error) {
    if (!(error instanceof ConnectorError && error.code === 'not_found')) throw error;
  }
}

/** Contacts (requesters): found by email or by `unique_external_id` (townhall's member id). */
export function contactActions(http: FreshdeskHttp) {
  /** List All Contacts filtered; `state: 'deleted'` lists the soft-deleted ones instead. */
  const find = (lookup: Lookup, state?: 'deleted'): Promise<FreshdeskContact[]> =>
    http.call({
      action: 'contact lookup',
      method: 'GET',
      path: '/contacts',
      query: {
        ...('email' in lookup
          ? { email: lookup.email.trim().toLowerCase() }
          : { unique_external_id: lookup.uniqueExternalId }),
        state,
      },
      answer: z.array(freshdeskContact),
    });

  return {
    find,

    /**
     * The contact with this member id, made (name and id only) when there is none. Two makers at
     * once: Freshdesk answers the second 409 (duplicate unique_external_id), and it reads the
     * first's contact.
     */
    async findOrCreate(name: string, uniqueExternalId: string): Promise<FreshdeskContact> {
      const [found] = await find({ uniqueExternalId });
      if (found) return found;
      try {
        return await http.call({
          action: 'contact create',
          method: 'POST',
          path: '/contacts',
          body: { name, unique_external_id: uniqueExternalId },
          answer: freshdeskContact,
        });
      } catch (error) {
        if (!(error instanceof ConnectorError && error.code === 'conflict')) throw error;
        const [winner] = await find({ uniqueExternalId });
        if (!winner) throw error;
        return winner;
      }
    },

    /**
     * Erases the contact with this email for good (GDPR): soft delete, then hard delete, which
     * also removes their tickets. A soft-deleted one (an earlier attempt that lost its answer) is
     * found among the deleted and finished. An agent's address is refused: agents are staff,
     * never requesters to erase.
     */
    async erase(email: string): Promise<{ deleted: boolean }> {
      const agents = await http.call({
        action: 'agent lookup',
        method: 'GET',
        path: '/agents',
        query: { email: email.trim().toLowerCase() },
        answer: z.array(freshdeskAgent),
      });
      if (agents.length > 0)
        throw refused('the address belongs to an agent, who is not erased as a requester');
      let contacts = await find({ email });
      if (contacts.length === 0) contacts = await find({ email }, 'deleted');
      for (const contact of contacts) {
        if (!contact.deleted)
          await gone(
            http.call({
              action: 'contact delete',
              method: 'DELETE',
              path: `/contacts/${contact.id}`,
            }),
          );
        // force: the hard delete would otherwise need the soft delete to have been seen first.
        await gone(
          http.call({
            action: 'contact erase',
            method: 'DELETE',
            path: `/contacts/${contact.id}/hard_delete`,
            query: { force: 'true' },
          }),
        );
      }
      return { deleted: contacts.length > 0 };
    },
  };
}
