import { ConnectorError } from '../errors.js';
import type { Crm, CrmPerson } from '../ports.js';
import { personKey } from '../ports.js';
import type { HubSpotConnector } from './client.js';
import type { ContactUpsert } from './contacts.js';
import { BATCH_LIMIT } from './contacts.js';

/** HubSpot keeps a name as firstname and lastname: "Ada King Lovelace" → Ada, King Lovelace. */
function contactOf({ email, name, properties }: CrmPerson): ContactUpsert {
  if (!email)
    throw new ConnectorError(
      'invalid',
      'HubSpot contacts are upserted by email; this person has none',
      {
        vendor: 'hubspot',
      },
    );
  const [first = '', ...rest] = (name ?? '').trim().split(/\s+/);
  const names: Record<string, string> = {};
  if (first) names.firstname = first;
  if (rest.length > 0) names.lastname = rest.join(' ');
  return { email, properties: { ...properties, ...names } };
}

/** HubSpot as townhall's CRM: people are contacts, keyed by email. */
export function hubspotCrm(hubspot: HubSpotConnector): Crm {
  /**
   * The community property group and properties, made sure of once per process before its
   * first contact write (a read and nothing more once they exist). A failure is forgotten, so
   * the next call (the activity's retry) tries again.
   */
  let propertiesReady: Promise<unknown> | undefined;

  return {
    batchLimit: BATCH_LIMIT,

    async ensureProperties() {
      propertiesReady ??= hubspot.ensureCommunityProperties().catch((error: unknown) => {
        propertiesReady = undefined;
        throw error;
      });
      await propertiesReady;
    },

    async upsertPerson(person) {
      const { contactId, created } = await hubspot.upsertContact(contactOf(person));
      return { personId: contactId, created };
    },

    async upsertPeople(people) {
      const keyOf = new Map(people.map((p) => [(p.email ?? '').toLowerCase(), personKey(p)]));
      const key = (email: string) => keyOf.get(email.toLowerCase()) ?? email;
      const { upserted, failed } = await hubspot.upsertContacts(people.map(contactOf));
      return {
        upserted: upserted.map(({ email, contactId, created }) => ({
          key: key(email),
          personId: contactId,
          created,
        })),
        failed: failed.map(({ email, reason }) => ({ key: key(email), reason, retryable: false })),
      };
    },

    async readPeople(emails, properties) {
      const { found, missing } = await hubspot.readContacts({
        ids: emails,
        idProperty: 'email',
        properties,
      });
      return {
        found: found.map((contact) => ({
          personId: contact.id,
          email: contact.properties.email ?? '',
          properties: contact.properties,
        })),
        missing,
      };
    },

    deletePerson: (email) => hubspot.gdprDeleteContact({ id: email, idProperty: 'email' }),
  };
}
