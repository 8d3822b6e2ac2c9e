import { describe, expect, it } from 'vitest';
import type { CrmPerson } from '../../connectors/ports.js';
import {
  connector,
  crmOf,
  people,
  post,
  records,
  requestsTo,
  sandbox,
  useSalesforceSandbox,
} from '../support/salesforce.js';

/** Bulk API 2.0 upsert jobs: CSV up, results down, through jsforce's bulk2 client. */

useSalesforceSandbox();

const JOBS = /\/services\/data\/v62\.0\/jobs\/ingest/;

/** Names and values that CSV must keep whole: commas, quotes, line breaks, leading spaces. */
function hostile(count: number): {
  people: CrmPerson[];
  expected: Map<string, Record<string, unknown>>;
} {
  const list: CrmPerson[] = [];
  const expected = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < count; i++) {
    const last = [`O'Neil, "Jr." ${i}`, `Smith,,${i}`, `"${i}"`, `=cmd|' /C calc'!A0 ${i}`][i % 4]!;
    const milestones = [`first post\nwelcome, "friend"`, `a\r\nb`, ` padded `, `#N/A ${i}`][i % 4]!;
    list.push({
      memberId: `bulk-${i}`,
      email: `bulk${i}@example.com`,
      // A line break between the names is whitespace like any other.
      name: `Zoë\n${last}`,
      properties: { community_milestones: milestones, community_activity_30d: String(i % 30) },
    });
    expected.set(`bulk-${i}`, {
      FirstName: 'Zoë',
      LastName: last,
      Email: `bulk${i}@example.com`,
      Community_Milestones__c: milestones,
      Community_Activity_30d__c: i % 30,
    });
  }
  return { people: list, expected };
}

describe('bulkUpsert', () => {
  it('5,000 people with hostile names in one job: every value written exactly, failures reported', async () => {
    const crm = crmOf();
    const { people: batch, expected } = hostile(5_000);
    batch[17] = { ...batch[17]!, email: 'bulk17-at-example.com' };
    batch[2_500] = { ...batch[2_500]!, properties: { community_engagement_level: 'y'.repeat(41) } };
    batch[4_999] = { ...batch[4_999]!, memberId: undefined };
    expected.delete('bulk-17');
    expected.delete('bulk-2500');
    expected.delete('bulk-4999');

    const result = await crm.bulkUpsert!(batch);
    expect(result.upserted).toHaveLength(4_997);
    expect(result.upserted.every((u) => u.created && /^003/.test(u.personId))).toBe(true);
    expect(result.failed).toEqual(
      expect.arrayContaining([
        {
          key: 'bulk-17',
          reason: expect.stringMatching(/^INVALID_EMAIL_ADDRESS:/),
          retryable: false,
        },
        { key: 'bulk-2500', reason: expect.stringMatching(/^STRING_TOO_LONG:/), retryable: false },
        {
          key: 'bulk4999@example.com',
          reason: expect.stringContaining('no member id'),
          retryable: false,
        },
      ]),
    );
    expect(result.failed).toHaveLength(3);

    const written = records();
    expect(written.size).toBe(4_997);
    for (const [memberId, fields] of expected) expect(written.get(memberId)).toMatchObject(fields);

    // One job: created, data uploaded once, closed, polled to its end, results read.
    const calls = sandbox.emulators.salesforce.requests().filter((r) => JOBS.test(r.path));
    const shape = calls.map((r) => `${r.method} ${r.path.replace(/^.*\/jobs\/ingest/, '')}`);
    expect(shape.filter((s) => s === 'POST ')).toHaveLength(1);
    expect(shape.filter((s) => s.endsWith('/batches'))).toEqual([
      'PUT /750000000000001AAA/batches',
    ]);
    expect(shape.filter((s) => s === 'PATCH /750000000000001AAA')).toHaveLength(1);
    expect(shape.filter((s) => s === 'GET /750000000000001AAA').length).toBeGreaterThanOrEqual(2);
    expect(shape.slice(-2)).toEqual([
      'GET /750000000000001AAA/successfulResults',
      'GET /750000000000001AAA/failedResults',
    ]);
    expect(sandbox.emulators.salesforce.jobs()).toMatchObject([
      {
        state: 'JobComplete',
        operation: 'upsert',
        externalIdFieldName: 'Townhall_Member_Id__c',
        lineEnding: 'LF',
        numberRecordsProcessed: 4_999,
        numberRecordsFailed: 2,
      },
    ]);

    // The same people again: updated, not duplicated.
    const again = await crm.bulkUpsert!(batch);
    expect(again.upserted).toHaveLength(4_997);
    expect(again.upserted.every((u) => !u.created)).toBe(true);
    expect(sandbox.emulators.salesforce.list()).toHaveLength(4_997);
  });

  it('an empty value clears the field (#N/A), a missing one leaves it as it was', async () => {
    const crm = crmOf();
    await crm.bulkUpsert!(
      people(2).map((p) => ({ ...p, properties: { ...p.properties, community_milestones: 'm' } })),
    );
    await crm.bulkUpsert!([
      { ...people(1)[0]!, properties: { community_milestones: '' } },
      { ...people(1, 1)[0]!, properties: { community_engagement_level: 'rising' } },
    ]);
    expect(records().get('m-0')).toMatchObject({
      Community_Milestones__c: null,
      Community_Platforms__c: 'slack;discord',
    });
    expect(records().get('m-1')).toMatchObject({
      Community_Milestones__c: 'm',
      Community_Engagement_Level__c: 'rising',
    });
  });

  it('a job Salesforce refuses whole (an unknown column) is an invalid error naming the field', async () => {
    const error = await crmOf().bulkUpsert!(
      people(10).map((p) => ({ ...p, properties: { favourite_colour: 'teal' } })),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid', retryable: false });
    expect((error as Error).message).toContain('Field name not found : favourite_colour');
    expect(sandbox.emulators.salesforce.jobs()).toMatchObject([{ state: 'Failed' }]);
    expect(records().size).toBe(0);
  });

  it('signs in again when the session expires between the steps of a job', async () => {
    const client = connector();
    const crm = crmOf(client);
    await crm.upsertPeople(people(1));
    await post('/_sandbox/salesforce/sessions/expire', {});
    const result = await crm.bulkUpsert!(people(300));
    expect(result.upserted).toHaveLength(300);
    expect(result.upserted.filter((u) => u.created)).toHaveLength(299);
    expect(client.signIns()).toBe(2);
    expect(requestsTo('POST', JOBS).map((r) => r.status)).toEqual([401, 200]);
  });

  it('the threshold above which a backfill uses bulk comes from the config', () => {
    expect(crmOf().bulkThreshold).toBe(2_000);
    expect(crmOf(connector({ bulkThreshold: 500 })).bulkThreshold).toBe(500);
  });
});
