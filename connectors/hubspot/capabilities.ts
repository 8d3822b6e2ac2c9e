import { ConnectorError } from '../errors.js';
import type { Crm, CrmPerson, CrmUpsertResult } from '../ports.js';
import { COMMUNITY_PROPERTIES, personKey } from '../ports.js';
import { isRetryable } from './batch.js';
import type { HubSpotConnector, KeyedUpsertResult } from './client.js';
import { MEMBER_ID_PROPERTY, PLATFORMS_PROPERTY } from './config.js';
import { BATCH_LIMIT, normalizeEmail } from './contacts.js';
import { platformValues } from './platforms.js';

/** One person as HubSpot gets them: the key they are found by, and every property written. */
interface Entry {
  key: string;
  memberId?: string | undefined;
  email?: string | undefined;
  properties: Record<string, string>;
}

/** A record HubSpot did not write, with what the classification and messages need. */
type Failure = CrmUpsertResult['failed'][number] & { category?: string; code?: string };

const FIXED = new Set<string>(COMMUNITY_PROPERTIES);

/**
 * The properties HubSpot gets for one person: theirs, the name as firstname and lastname
 * ("Ada King Lovelace" → Ada, King Lovelace), and the member id. HubSpot refuses leading or
 * trailing whitespace in non-text values, so townhall's own values are trimmed, and the platforms
 * become the `;`-separated options of a multiple checkbox.
 */
function propertiesOf({ memberId, name, properties }: CrmPerson): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [property, value] of Object.entries(properties))
    values[property] = FIXED.has(property) ? value.trim() : value;
  if (values[PLATFORMS_PROPERTY] !== undefined)
    values[PLATFORMS_PROPERTY] = platformValues(values[PLATFORMS_PROPERTY]).join(';');
  const [first = '', ...rest] = (name ?? '').trim().split(/\s+/);
  if (first) values.firstname = first;
  if (rest.length > 0) values.lastname = rest.join(' ');
  if (memberId) values[MEMBER_ID_PROPERTY] = memberId;
  return values;
}

/**
 * One entry per person key (later inputs for a key merge into the earlier), and one per email:
 * HubSpot keeps one contact per email, so a second member with the same one would overwrite the
 * first one's member id on it. People with neither a member id nor an email cannot be found.
 */
function entriesOf(people: readonly CrmPerson[]): { entries: Entry[]; failed: Failure[] } {
  const failed: Failure[] = [];
  const byKey = new Map<string, Entry>();
  for (const person of people) {
    const key = personKey(person);
    const email = person.email?.trim() || undefined;
    if (!person.memberId && !email) {
      failed.push({
        key,
        reason: 'HubSpot finds contacts by member id or email; this person has neither',
        retryable: false,
      });
      continue;
    }
    const earlier = byKey.get(key);
    byKey.set(key, {
      key,
      memberId: person.memberId,
      email: earlier?.email ?? email,
      properties: { ...earlier?.properties, ...propertiesOf(person) },
    });
  }
  const owners = new Set<string>();
  const entries: Entry[] = [];
  for (const entry of byKey.values()) {
    const email = entry.email && normalizeEmail(entry.email);
    if (email && owners.has(email)) {
      failed.push({
        key: entry.key,
        reason:
          'HubSpot keeps one contact per email, and another person in this batch has the same one',
        retryable: false,
      });
      continue;
    }
    if (email) owners.add(email);
    entries.push(entry);
  }
  return { entries, failed };
}

/** HubSpot as townhall's CRM: people are contacts, keyed by email, else by townhall_member_id. */
export function hubspotCrm(hubspot: HubSpotConnector): Crm {
  /**
   * The community property group and properties, made sure of once per process before its
   * first contact write (a read and nothing more once they exist). A failure is forgotten, so
   * the next call (the activity's retry) tries again.
   */
  let propertiesReady: Promise<unknown> | undefined;
  const ensureProperties = async () => {
    propertiesReady ??= hubspot.ensureCommunityProperties().catch((error: unknown) => {
      propertiesReady = undefined;
      throw error;
    });
    await propertiesReady;
  };

  /**
   * A person with an email is upserted by email (HubSpot's own key, which also finds the contact
   * onboarding made before the member had an id), with townhall_member_id set; one without, by
   * townhall_member_id. So one call is up to two requests, one per key, each of at most 100.
   * A contact refused because another contact holds the member id (the member's email changed,
   * in townhall or in HubSpot) is written by member id instead, taking the new email, in the
   * second request.
   */
  async function upsertPeople(people: readonly CrmPerson[]): Promise<{
    upserted: CrmUpsertResult['upserted'];
    failed: Failure[];
  }> {
    if (people.length > BATCH_LIMIT)
      throw new ConnectorError(
        'invalid',
        `HubSpot upserts at most ${BATCH_LIMIT} people in one call, got ${people.length} (split the batch)`,
        { vendor: 'hubspot' },
      );
    const { entries, failed } = entriesOf(people);
    if (entries.length === 0) return { upserted: [], failed };
    await ensureProperties();
    const platforms = platformValues(
      entries.map((entry) => entry.properties[PLATFORMS_PROPERTY] ?? '').join(';'),
    );
    if (platforms.length > 0) await hubspot.ensurePropertyOptions(PLATFORMS_PROPERTY, platforms);

    const upserted: CrmUpsertResult['upserted'] = [];
    const record = (
      result: KeyedUpsertResult,
      entryOf: (id: string) => Entry,
      redo: (entry: Entry, failure: KeyedUpsertResult['failed'][number]) => boolean = () => false,
    ): Entry[] => {
      for (const { id, contactId, created } of result.upserted)
        upserted.push({ key: entryOf(id).key, personId: contactId, created });
      const again: Entry[] = [];
      for (const failure of result.failed) {
        const entry = entryOf(failure.id);
        if (redo(entry, failure)) again.push(entry);
        else
          failed.push({
            key: entry.key,
            reason: failure.reason,
            retryable: isRetryable(failure),
            ...(failure.category ? { category: failure.category } : {}),
            ...(failure.code ? { code: failure.code } : {}),
          });
      }
      return again;
    };

    const withEmail = entries.filter((entry) => entry.email);
    const byEmail = new Map(withEmail.map((entry) => [normalizeEmail(entry.email!), entry]));
    const moved = record(
      await hubspot.upsertContactsBy(
        'email',
        withEmail.map((entry) => ({ id: entry.email!, properties: entry.properties })),
      ),
      (email) => byEmail.get(normalizeEmail(email))!,
      (entry, failure) =>
        entry.memberId !== undefined &&
        !isRetryable(failure) &&
        (failure.properties ?? []).includes(MEMBER_ID_PROPERTY),
    );

    const byMemberId = [...entries.filter((entry) => !entry.email), ...moved];
    const byId = new Map(byMemberId.map((entry) => [entry.memberId!.trim(), entry]));
    record(
      await hubspot.upsertContactsBy(
        MEMBER_ID_PROPERTY,
        byMemberId.map((entry) => ({
          id: entry.memberId!,
          properties: entry.email ? { ...entry.properties, email: entry.email } : entry.properties,
        })),
      ),
      (memberId) => byId.get(memberId.trim())!,
    );
    return { upserted, failed };
  }

  return {
    batchLimit: BATCH_LIMIT,

    ensureProperties,

    async upsertPerson(person) {
      const { upserted, failed } = await upsertPeople([person]);
      const contact = upserted[0];
      if (contact) return { personId: contact.personId, created: contact.created };
      // Category and code only: HubSpot's message may quote values, which are personal data.
      const failure = failed[0];
      const why = failure?.category
        ? [failure.category, failure.code].filter(Boolean).join(' ')
        : (failure?.reason ?? 'no result returned');
      throw new ConnectorError(
        failure?.retryable ? 'unavailable' : 'invalid',
        `HubSpot contact upsert failed: ${why}`,
        { vendor: 'hubspot', status: 207 },
      );
    },

    async upsertPeople(people) {
      const { upserted, failed } = await upsertPeople(people);
      return {
        upserted,
        failed: failed.map(({ key, reason, retryable }) => ({ key, reason, retryable })),
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
