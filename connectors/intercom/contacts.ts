import type { Intercom, IntercomClient } from 'intercom-client';
import { ConnectorError } from '../errors.js';
import { attempt } from './errors.js';

export interface ContactLookup {
  email?: string | undefined;
  /** townhall's member id, or any id the workspace already uses for this person. */
  externalId?: string | undefined;
  name?: string | undefined;
}

export interface IntercomContactRef {
  id: string;
  email: string | null;
  externalId: string | null;
  /** False when the contact already existed. */
  created: boolean;
}

const ref = (contact: Intercom.Contact, created: boolean): IntercomContactRef => ({
  id: contact.id,
  email: contact.email ?? null,
  externalId: contact.external_id ?? null,
  created,
});

/** Find a contact by external id, then by email (users before leads); create it if neither. */
export function contactActions(client: IntercomClient) {
  async function searchBy(field: 'external_id' | 'email', value: string) {
    const page = await attempt('contact search', () =>
      client.contacts.search({
        query: { field, operator: '=', value },
        pagination: { per_page: 5 },
      }),
    );
    return page.data.find((contact) => contact.role === 'user') ?? page.data[0];
  }

  async function find(lookup: ContactLookup) {
    if (lookup.externalId) {
      const byExternalId = await searchBy('external_id', lookup.externalId);
      if (byExternalId) return byExternalId;
    }
    return lookup.email ? searchBy('email', lookup.email) : undefined;
  }

  return async function findOrCreateContact(lookup: ContactLookup): Promise<IntercomContactRef> {
    if (!lookup.email && !lookup.externalId)
      throw new ConnectorError('invalid', 'an Intercom contact needs an email or an external id', {
        vendor: 'intercom',
      });
    const existing = await find(lookup);
    if (existing) return ref(existing, false);
    try {
      const created = await attempt('contact creation', () =>
        client.contacts.create({
          role: 'user',
          ...(lookup.email ? { email: lookup.email } : {}),
          ...(lookup.externalId ? { external_id: lookup.externalId } : {}),
          ...(lookup.name ? { name: lookup.name } : {}),
        }),
      );
      return ref(created, true);
    } catch (error) {
      // 409: a contact with this email or external id exists (another attempt won, or search
      // had not indexed it yet). Decided by the status, never by the message.
      if (!(error instanceof ConnectorError) || error.code !== 'conflict') throw error;
      const winner = await find(lookup);
      if (winner) return ref(winner, false);
      throw new ConnectorError(
        'unavailable',
        'Intercom contact creation: a matching contact exists but search does not show it yet',
        { vendor: 'intercom', status: 409 },
      );
    }
  };
}

const sameAddress = (a: string | null | undefined, b: string) =>
  a?.toLowerCase() === b.toLowerCase();

/** A 404 on a delete: an earlier attempt (or a teammate) got there first, which is the goal. */
async function tolerateGone(request: () => Promise<unknown>): Promise<void> {
  try {
    await request();
  } catch (error) {
    if (!(error instanceof ConnectorError) || error.code !== 'not_found') throw error;
  }
}

/**
 * Deletes every contact (user or lead: leads may share an address) with this email through
 * DELETE /contacts/{id}, the only contact deletion API 2.14 has. A teammate's address (on
 * GET /admins) is refused before anything is deleted: townhall erases requesters, never staff.
 *
 * Search trails new contacts by up to a few minutes (see dedup.ts): a contact created that
 * recently is not found, and `deleted: false` comes back.
 */
export function contactErasure(client: IntercomClient) {
  async function withEmail(email: string): Promise<Intercom.Contact[]> {
    let page = await attempt('contact search', () =>
      client.contacts.search({
        query: { field: 'email', operator: '=', value: email },
        pagination: { per_page: 150 },
      }),
    );
    const contacts = [...page.data];
    while (page.hasNextPage()) {
      page = await attempt('contact search', () => page.getNextPage());
      contacts.push(...page.data);
    }
    return contacts.filter((contact) => sameAddress(contact.email, email));
  }

  return async function eraseContacts(email: string): Promise<{ deleted: boolean }> {
    const { admins = [] } = await attempt('admin list', () => client.admins.list());
    if (admins.some((admin) => sameAddress(admin?.email, email)))
      // No address in the message: it reaches logs and workflow history.
      throw new ConnectorError(
        'invalid',
        "Intercom contact erasure: the address is a teammate's; townhall erases contacts only",
        { vendor: 'intercom' },
      );
    const contacts = await withEmail(email);
    for (const contact of contacts)
      await tolerateGone(() =>
        attempt('contact deletion', () => client.contacts.delete({ contact_id: contact.id })),
      );
    return { deleted: contacts.length > 0 };
  };
}
