import { describe, expect, it } from 'vitest';
import {
  connector,
  crmOf,
  fault,
  people,
  post,
  records,
  requestsTo,
  sandbox,
  useSalesforceSandbox,
} from '../support/salesforce.js';

/** People upserted by external id through sObject Collections, 200 at a time. */

useSalesforceSandbox();

const UPSERT = /\/composite\/sobjects\/Contact\/Townhall_Member_Id__c$/;

describe('sObject Collections upsert by external id', () => {
  it('200 people: created in one request, then updated by a second, never duplicated', async () => {
    const crm = crmOf();
    const batch = people(200);
    const first = await crm.upsertPeople(batch);
    expect(first.failed).toEqual([]);
    expect(first.upserted.map((u) => u.key)).toEqual(batch.map((p) => p.memberId));
    expect(first.upserted.every((u) => u.created && /^003\w{15}$/.test(u.personId))).toBe(true);
    expect(records().size).toBe(200);

    const changed = batch.map((p) => ({
      ...p,
      name: `Renamed ${p.memberId}`,
      properties: { ...p.properties, community_engagement_level: 'champion' },
    }));
    const second = await crm.upsertPeople(changed);
    expect(second.upserted.every((u) => !u.created)).toBe(true);
    expect(second.upserted.map((u) => u.personId)).toEqual(first.upserted.map((u) => u.personId));
    expect(sandbox.emulators.salesforce.list()).toHaveLength(200);
    expect(records().get('m-7')).toMatchObject({
      FirstName: 'Renamed',
      LastName: 'm-7',
      Email: 'member7@example.com',
      Community_Engagement_Level__c: 'champion',
      Community_Platforms__c: 'discourse',
      Community_Activity_30d__c: 0,
    });
    expect(requestsTo('PATCH', UPSERT).map((r) => r.status)).toEqual([200, 200]);
  });

  it('a batch with 3 bad records writes 197 and reports the 3 with their reasons, not retryable', async () => {
    const batch = people(200);
    batch[10] = { ...batch[10]!, email: 'not-an-email' };
    batch[50] = { ...batch[50]!, properties: { favourite_colour: 'teal' } };
    batch[90] = { ...batch[90]!, properties: { community_engagement_level: 'x'.repeat(41) } };

    const result = await crmOf().upsertPeople(batch);
    expect(result.upserted).toHaveLength(197);
    expect(result.failed).toEqual([
      { key: 'm-10', reason: expect.stringMatching(/^INVALID_EMAIL_ADDRESS: /), retryable: false },
      {
        key: 'm-50',
        reason: "INVALID_FIELD: No such column 'favourite_colour' on sobject of type Contact",
        retryable: false,
      },
      { key: 'm-90', reason: expect.stringMatching(/^STRING_TOO_LONG: /), retryable: false },
    ]);
    expect(records().size).toBe(197);
    expect([...records().keys()]).not.toContain('m-50');
    expect(requestsTo('PATCH', UPSERT)).toHaveLength(1);
  });

  it('a locked row is reported as retryable, and the retry of just that record writes it', async () => {
    const crm = crmOf();
    await post('/_sandbox/salesforce/locks', { externalIds: ['m-3'] });
    const result = await crm.upsertPeople(people(5));
    expect(result.failed).toEqual([
      { key: 'm-3', reason: expect.stringMatching(/^UNABLE_TO_LOCK_ROW: /), retryable: true },
    ]);
    expect(records().has('m-3')).toBe(false);

    await post('/_sandbox/salesforce/locks', { externalIds: [] });
    const retry = await crm.upsertPeople(people(1, 3));
    expect(retry.upserted).toEqual([{ key: 'm-3', personId: expect.any(String), created: true }]);
    expect(records().size).toBe(5);
  });

  it('the same member twice in one batch: Salesforce refuses both as DUPLICATE_VALUE', async () => {
    const batch = [...people(3), { ...people(1, 1)[0]!, name: 'Second Copy' }];
    const result = await crmOf().upsertPeople(batch);
    expect(result.upserted.map((u) => u.key)).toEqual(['m-0', 'm-2']);
    expect(result.failed).toEqual([
      {
        key: 'm-1',
        reason: 'DUPLICATE_VALUE: Duplicate external id specified: m-1',
        retryable: false,
      },
      {
        key: 'm-1',
        reason: 'DUPLICATE_VALUE: Duplicate external id specified: m-1',
        retryable: false,
      },
    ]);
  });

  it('a lost response, then the retry: still one record per member', async () => {
    const crm = crmOf();
    await fault({ drop: true, path: 'composite/sobjects' });
    const lost = await crm.upsertPeople(people(50)).catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: 'unavailable', retryable: true });
    // Salesforce wrote the batch; only its answer was lost.
    expect(records().size).toBe(50);

    const retry = await crm.upsertPeople(people(50));
    expect(retry.failed).toEqual([]);
    expect(retry.upserted.every((u) => !u.created)).toBe(true);
    expect(sandbox.emulators.salesforce.list()).toHaveLength(50);
    expect(
      new Set(sandbox.emulators.salesforce.list().map((r) => String(r.Townhall_Member_Id__c))).size,
    ).toBe(50);
  });

  it('people without a member id are reported, not sent: Salesforce upserts by External ID only', async () => {
    const byEmail = { email: 'only-email@example.com', name: 'Only Email', properties: {} };
    const result = await crmOf().upsertPeople([byEmail, ...people(2)]);
    expect(result.upserted.map((u) => u.key)).toEqual(['m-0', 'm-1']);
    expect(result.failed).toEqual([
      {
        key: 'only-email@example.com',
        reason: expect.stringContaining('no member id'),
        retryable: false,
      },
    ]);
    expect(records().size).toBe(2);

    const single = await crmOf()
      .upsertPerson(byEmail)
      .catch((e: unknown) => e);
    expect(single).toMatchObject({ code: 'invalid', retryable: false });
    expect((single as Error).message).toContain('Townhall_Member_Id__c');
    expect(requestsTo('PATCH', UPSERT)).toHaveLength(1);
  });

  it('upsertPerson: created, then updated; names become FirstName and LastName', async () => {
    const crm = crmOf();
    const ada = {
      memberId: 'm-ada',
      email: 'ada@example.com',
      name: 'Ada King Lovelace',
      properties: {},
    };
    const created = await crm.upsertPerson(ada);
    expect(created).toEqual({ personId: expect.stringMatching(/^003/), created: true });
    expect(records().get('m-ada')).toMatchObject({ FirstName: 'Ada', LastName: 'King Lovelace' });

    const updated = await crm.upsertPerson({ ...ada, name: 'Cher' });
    expect(updated).toEqual({ personId: created.personId, created: false });
    // One word is the LastName (required); FirstName keeps what it had.
    expect(records().get('m-ada')).toMatchObject({ FirstName: 'Ada', LastName: 'Cher' });

    // No name: LastName (required on Contact) is the email's local part, or a placeholder.
    await crm.upsertPerson({
      memberId: 'm-anon',
      email: 'anon.member@example.com',
      properties: {},
    });
    await crm.upsertPerson({ memberId: 'm-discord', properties: {} });
    expect(records().get('m-anon')).toMatchObject({ LastName: 'anon.member' });
    expect(records().get('m-discord')).toMatchObject({ LastName: '(community member)' });
  });

  it('a refused single upsert throws: invalid for a bad address, unavailable for a locked row', async () => {
    const crm = crmOf();
    const bad = await crm
      .upsertPerson({ memberId: 'm-1', email: 'bad@', properties: {} })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'invalid', retryable: false });
    expect((bad as Error).message).toContain('INVALID_EMAIL_ADDRESS');

    await post('/_sandbox/salesforce/locks', { externalIds: ['m-2'] });
    const locked = await crm.upsertPerson(people(1, 2)[0]!).catch((e: unknown) => e);
    expect(locked).toMatchObject({ code: 'unavailable', retryable: true });
  });

  it('refuses more than 200 people without calling Salesforce', async () => {
    const client = connector();
    const error = await crmOf(client)
      .upsertPeople(people(201))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid', retryable: false });
    expect(crmOf(client).batchLimit).toBe(200);
    expect(requestsTo('PATCH', UPSERT)).toEqual([]);
  });
});
