import { beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import { hubspotCrm } from '../../connectors/hubspot/capabilities.js';
import type { Crm, CrmPerson } from '../../connectors/ports.js';
import { hubspot, post, requestsTo, sandbox, useHubSpotSandbox } from '../support/hubspot.js';

/**
 * The Crm port on HubSpot: people upserted by email (with townhall_member_id) or, without one,
 * by townhall_member_id; results keyed by member id; 207s split into retryable and not.
 */

useHubSpotSandbox();

let crm: Crm;
beforeEach(async () => {
  crm = hubspotCrm(hubspot);
  await crm.ensureProperties();
});

const memberId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** `count` members; every fourth has no email (Discord gives none). */
const people = (count: number): CrmPerson[] =>
  Array.from({ length: count }, (_, i) => ({
    memberId: memberId(i),
    email: i % 4 === 0 ? undefined : `m${i}@example.com`,
    name: `Member Number ${i}`,
    properties: {
      community_platforms: i % 2 === 0 ? 'discourse' : 'slack; discord',
      community_first_seen: '2026-11-01T10:00:00.000Z',
      community_last_active: '2026-11-20T10:00:00.000Z',
      community_activity_30d: String(i),
      community_engagement_level: i % 3 === 0 ? 'champion' : 'active',
      community_milestones: 'first_post;posts_10',
    },
  }));

const upsertRequests = () =>
  requestsTo('POST', '/crm/v3/objects/contacts/batch/upsert').map((r) => {
    const { inputs } = r.body as { inputs: { idProperty: string; id: string }[] };
    return {
      status: r.status,
      keys: [...new Set(inputs.map((i) => i.idProperty))],
      n: inputs.length,
    };
  });

describe('upsertPeople', () => {
  it('upserts 100 members by email or by member id, and twice makes no duplicates', async () => {
    const batch = people(100);
    const first = await crm.upsertPeople(batch);
    expect(first.failed).toEqual([]);
    expect(first.upserted.map((u) => u.key).sort()).toEqual(batch.map((p) => p.memberId).sort());
    expect(first.upserted.every((u) => u.created && /^\d+$/.test(u.personId))).toBe(true);
    // Two requests, one per key, each within HubSpot's 100.
    expect(upsertRequests()).toEqual([
      { status: 200, keys: ['email'], n: 75 },
      { status: 200, keys: ['townhall_member_id'], n: 25 },
    ]);

    const contacts = sandbox.emulators.hubspot.list();
    expect(contacts).toHaveLength(100);
    const byMember = new Map(contacts.map((c) => [c.properties.townhall_member_id, c]));
    expect(byMember.get(memberId(1))?.properties).toMatchObject({
      email: 'm1@example.com',
      firstname: 'Member',
      lastname: 'Number 1',
      community_platforms: 'discord;slack',
      community_activity_30d: '1',
      community_milestones: 'first_post;posts_10',
    });
    expect(byMember.get(memberId(4))?.properties.email).toBeUndefined();
    expect(byMember.get(memberId(4))?.properties.community_platforms).toBe('discourse');

    const again = await crm.upsertPeople(batch);
    expect(again.failed).toEqual([]);
    expect(again.upserted.filter((u) => u.created)).toEqual([]);
    const ids = new Map(first.upserted.map((u) => [u.key, u.personId]));
    expect(again.upserted.every((u) => ids.get(u.key) === u.personId)).toBe(true);
    expect(sandbox.emulators.hubspot.list()).toHaveLength(100);
  });

  it('a 207 with 3 bad records writes 97 and reports 3, retryable only the one HubSpot could not write now', async () => {
    const batch = people(100).map((p, i) => ({ ...p, email: `m${i}@example.com` }));
    batch[10] = { ...batch[10]!, email: 'not-an-email' };
    batch[50] = { ...batch[50]!, properties: { ...batch[50]!.properties, shoe_size: '9' } };
    // Another write to that contact at the same moment: HubSpot's CONFLICT for one record.
    await post('/_sandbox/hubspot/record-faults', { ids: ['m90@example.com'] });

    const result = await crm.upsertPeople(batch);
    expect(result.upserted).toHaveLength(97);
    expect(result.failed).toEqual([
      { key: memberId(10), reason: expect.stringContaining('INVALID_EMAIL'), retryable: false },
      {
        key: memberId(50),
        reason: expect.stringContaining('PROPERTY_DOESNT_EXIST'),
        retryable: false,
      },
      { key: memberId(90), reason: expect.stringContaining('CONFLICT'), retryable: true },
    ]);
    expect(sandbox.emulators.hubspot.list()).toHaveLength(97);
    expect(upsertRequests()).toEqual([{ status: 207, keys: ['email'], n: 100 }]);

    // Only the retryable one is tried again, and it goes through.
    const retry = await crm.upsertPeople([batch[90]!]);
    expect(retry).toEqual({
      upserted: [{ key: memberId(90), personId: expect.any(String), created: true }],
      failed: [],
    });
    expect(sandbox.emulators.hubspot.list()).toHaveLength(98);
  });

  it('classifies per-record errors by category and code', async () => {
    const batch = people(4).map((p, i) => ({ ...p, email: `m${i}@example.com` }));
    const fault = (id: string, category: string, code?: string) =>
      post('/_sandbox/hubspot/record-faults', { ids: [id], category, ...(code ? { code } : {}) });
    await fault('m0@example.com', 'INTERNAL_ERROR');
    await fault('m1@example.com', 'CONFLICT', 'CONTACT_EXISTS');
    await fault('m2@example.com', 'RATE_LIMITS');
    await fault('m3@example.com', 'OBJECT_NOT_FOUND');
    const { failed } = await crm.upsertPeople(batch);
    expect(failed.map((f) => [f.key, f.retryable])).toEqual([
      [memberId(0), true],
      [memberId(1), false],
      [memberId(2), true],
      [memberId(3), false],
    ]);
  });

  it('a member whose email changed keeps their contact, which takes the new email', async () => {
    const [ada] = people(2).slice(1);
    const first = await crm.upsertPeople([ada!]);
    const moved = await crm.upsertPeople([{ ...ada!, email: 'ada.new@example.com' }]);
    expect(moved).toEqual({
      upserted: [{ key: ada!.memberId, personId: first.upserted[0]!.personId, created: false }],
      failed: [],
    });
    expect(sandbox.emulators.hubspot.list().map((c) => c.properties.email)).toEqual([
      'ada.new@example.com',
    ]);
    // By email first (refused: another contact has the member id), then by member id.
    expect(upsertRequests().slice(1)).toEqual([
      { status: 207, keys: ['email'], n: 1 },
      { status: 200, keys: ['townhall_member_id'], n: 1 },
    ]);
  });

  it('reports people it cannot key and two members with one email, without calling HubSpot for them', async () => {
    const [a, b] = people(3).slice(1);
    const result = await crm.upsertPeople([
      { properties: {} },
      a!,
      { ...b!, email: a!.email!.toUpperCase() },
    ]);
    expect(result.upserted.map((u) => u.key)).toEqual([a!.memberId]);
    expect(result.failed).toEqual([
      { key: '', reason: expect.stringContaining('neither'), retryable: false },
      {
        key: b!.memberId,
        reason: expect.stringContaining('one contact per email'),
        retryable: false,
      },
    ]);
    expect(await crm.upsertPeople([]).then((r) => r.upserted)).toEqual([]);
    const tooMany = await crm.upsertPeople(people(101)).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ code: 'invalid', retryable: false });
  });
});

describe('upsertPerson', () => {
  it('takes the same path: by email, keyed contact, errors retryable or not', async () => {
    const [ada] = people(2).slice(1);
    const made = await crm.upsertPerson(ada!);
    expect(made).toEqual({ personId: expect.any(String), created: true });
    // Onboarding knows a member by email before anything else.
    expect(await crm.upsertPerson({ email: ada!.email, properties: {} })).toEqual({
      personId: made.personId,
      created: false,
    });
    const withoutEmail = await crm.upsertPerson({ memberId: memberId(8), properties: {} });
    expect(withoutEmail.created).toBe(true);

    await post('/_sandbox/hubspot/record-faults', {
      ids: [ada!.email],
      category: 'INTERNAL_ERROR',
    });
    const later = await crm.upsertPerson(ada!).catch((e: unknown) => e);
    expect(later).toBeInstanceOf(ConnectorError);
    expect(later).toMatchObject({ code: 'unavailable', retryable: true });
    const refused = await crm
      .upsertPerson({ ...ada!, email: 'nobody-at-example' })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'invalid', retryable: false });
    expect((refused as Error).message).toContain('INVALID_EMAIL');
    expect((refused as Error).message).not.toContain('nobody-at-example');
  });
});
