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
