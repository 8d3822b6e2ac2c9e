import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import { hubspot, members, requestsTo, sandbox, useHubSpotSandbox } from '../support/hubspot.js';

/** Contacts upserted, read, searched, updated, archived and GDPR-deleted, in batches. */

useHubSpotSandbox();

describe('contacts', () => {
  beforeEach(async () => {
    await hubspot.ensureCommunityProperties();
  });

  it('a batch of 100 with 3 invalid records: 97 upserted, 3 reported with reasons, one request', async () => {
    const batch = members(100);
    batch[10] = { email: 'not-an-email', properties: {} };
    batch[50] = { email: 'member50@example.com', properties: { community_churn_risk: 'extreme' } };
    batch[90] = { email: 'member90@example.com', properties: { favourite_colour: 'teal' } };

    const result = await hubspot.upsertContacts(batch);
    expect(result.upserted).toHaveLength(97);
    expect(result.upserted.every((u) => u.created && /^\d+$/.test(u.contactId))).toBe(true);
    expect(result.failed).toEqual([
      {
        email: 'not-an-email',
        reason: expect.stringContaining('INVALID_EMAIL'),
        category: 'VALIDATION_ERROR',
        code: 'INVALID_EMAIL',
      },
      {
        email: 'member50@example.com',
        reason: expect.stringContaining('INVALID_OPTION'),
        category: 'VALIDATION_ERROR',
        code: 'INVALID_OPTION',
      },
      {
        email: 'member90@example.com',
        reason: expect.stringContaining('PROPERTY_DOESNT_EXIST'),
        category: 'VALIDATION_ERROR',
        code: 'PROPERTY_DOESNT_EXIST',
      },
    ]);
    expect(sandbox.emulators.hubspot.list()).toHaveLength(97);
    const upserts = requestsTo('POST', '/crm/v3/objects/contacts/batch/upsert');
    expect(upserts.map((r) => r.status)).toEqual([207]);

    // Repeating the batch changes nothing: upserts are keyed by email.
    const again = await hubspot.upsertContacts(batch);
    expect(again.upserted.filter((u) => u.created)).toEqual([]);
    expect(sandbox.emulators.hubspot.list()).toHaveLength(97);
  });

  it('refuses more than 100 records without calling HubSpot, and merges duplicate emails', async () => {
    const tooMany = await hubspot.upsertContacts(members(101)).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ code: 'invalid', retryable: false });
    expect(requestsTo('POST', '/crm/v3/objects/contacts/batch/upsert')).toEqual([]);

    const merged = await hubspot.upsertContacts([
      { email: 'Ada@Example.com', properties: { firstname: 'Ada' } },
      { email: 'ada@example.com', properties: { lastname: 'Lovelace' } },
    ]);
    expect(merged.upserted).toEqual([
      { email: 'Ada@Example.com', contactId: expect.any(String), created: true },
    ]);
    expect(sandbox.emulators.hubspot.list()[0]?.properties).toMatchObject({
      firstname: 'Ada',
      lastname: 'Lovelace',
    });
  });

  it('upsertContact (the onboarding step) reports a refused record as invalid, without the address', async () => {
    const error = await hubspot
      .upsertContact({ email: 'nobody-at-example', properties: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'invalid', retryable: false });
    expect((error as Error).message).toContain('INVALID_EMAIL');
    expect((error as Error).message).not.toContain('nobody-at-example');
  });

  it('reads a batch by email (any case) or by id, naming the ones that are missing', async () => {
    const { upserted } = await hubspot.upsertContacts(members(3));
    const byEmail = await hubspot.readContacts({
      ids: ['MEMBER0@example.com', 'member2@example.com', 'ghost@example.com'],
      idProperty: 'email',
      properties: ['community_churn_risk'],
    });
    expect(byEmail.missing).toEqual(['ghost@example.com']);
    expect(byEmail.found.map((c) => c.properties)).toEqual([
      expect.objectContaining({ email: 'member0@example.com', community_churn_risk: 'low' }),
      expect.objectContaining({ email: 'member2@example.com', community_churn_risk: 'low' }),
    ]);

    const byId = await hubspot.readContacts({ ids: [upserted[1]!.contactId, '999999'] });
    expect(byId.found.map((c) => c.id)).toEqual([upserted[1]!.contactId]);
    expect(byId.found[0]?.properties).toMatchObject({
      email: 'member1@example.com',
      firstname: 'Member 1',
    });
    expect(byId.missing).toEqual(['999999']);
  });

  it('searches with filter groups on email and community properties, page by page', async () => {
    await hubspot.upsertContacts(members(25));
    const byEmail = await hubspot.searchContacts({
      filterGroups: [
        { filters: [{ propertyName: 'email', operator: 'EQ', value: 'MEMBER7@example.com' }] },
      ],
    });
    expect(byEmail.total).toBe(1);
    expect(byEmail.contacts[0]?.properties.email).toBe('member7@example.com');
    expect(byEmail.after).toBeUndefined();

    // high churn risk AND joined (i odd and i % 3 == 0: 3, 9, 15, 21), OR member0 by IN.
    const query = {
      filterGroups: [
        {
          filters: [
            {
              propertyName: 'community_churn_risk',
              operator: 'IN' as const,
              values: ['high', 'medium'],
            },
            { propertyName: 'community_first_seen', operator: 'HAS_PROPERTY' as const },
          ],
        },
        {
          filters: [
            { propertyName: 'email', operator: 'IN' as const, values: ['member0@example.com'] },
          ],
        },
      ],
      properties: ['email', 'community_churn_risk'],
      limit: 2,
    };
    const emails: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await hubspot.searchContacts({ ...query, ...(after ? { after } : {}) });
      expect(page.total).toBe(5);
      emails.push(...page.contacts.map((c) => c.properties.email!));
      after = page.after;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(emails).toEqual([0, 3, 9, 15, 21].map((i) => `member${i}@example.com`));
  });

  it('updates properties by email or by id; an unknown contact is not_found', async () => {
    const { upserted } = await hubspot.upsertContacts(members(1));
    const byEmail = await hubspot.updateContact({
      id: 'member0@example.com',
      idProperty: 'email',
      properties: { community_activity_30d: '12' },
    });
    expect(byEmail.id).toBe(upserted[0]!.contactId);
    expect(byEmail.properties.community_activity_30d).toBe('12');
    await hubspot.updateContact({ id: byEmail.id, properties: { community_churn_risk: 'medium' } });
    expect(sandbox.emulators.hubspot.list()[0]?.properties).toMatchObject({
      community_activity_30d: '12',
      community_churn_risk: 'medium',
    });
    const missing = await hubspot
      .updateContact({
        id: 'ghost@example.com',
        idProperty: 'email',
        properties: { firstname: 'x' },
      })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'not_found', retryable: false, status: 404 });
    const invalid = await hubspot
      .updateContact({ id: byEmail.id, properties: { community_activity_30d: 'many' } })
      .catch((e: unknown) => e);
    expect(invalid).toMatchObject({ code: 'invalid', status: 400 });
  });

  it('archives contacts (twice is fine) and GDPR-deletes them for good', async () => {
    const { upserted } = await hubspot.upsertContacts(members(3));
    const ids = upserted.map((u) => u.contactId);
    await hubspot.archiveContacts([ids[0]!]);
    await hubspot.archiveContacts([ids[0]!, '999999']);
    expect(
      sandbox.emulators.hubspot
        .list()
        .filter((c) => c.archived)
        .map((c) => c.id),
    ).toEqual([ids[0]]);
    expect((await hubspot.readContacts({ ids })).missing).toEqual([ids[0]]);

    expect(
      await hubspot.gdprDeleteContact({ id: 'member1@example.com', idProperty: 'email' }),
    ).toEqual({ deleted: true });
    expect(await hubspot.gdprDeleteContact({ id: ids[2]! })).toEqual({ deleted: true });
    expect(sandbox.emulators.hubspot.list().map((c) => c.id)).toEqual([ids[0]]);
    // Already gone: by id HubSpot says 404, by email it blocks the address anyway.
    expect(await hubspot.gdprDeleteContact({ id: ids[2]! })).toEqual({ deleted: false });
    expect(
      await hubspot.gdprDeleteContact({ id: 'member1@example.com', idProperty: 'email' }),
    ).toEqual({ deleted: true });
  });
});
