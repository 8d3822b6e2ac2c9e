// Manual merges and their undo, in the store: a merge of two members that share nothing, then an
// unmerge, puts every row of both back (compared as PostgreSQL prints them); both are audited;
// consent merges to the stricter value; refusals; activity in between follows its identity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireMember } from '../../activities/member.js';
import { DEFAULT_MEMBERS_CONFIG } from '../../config/members.js';
import { listAudit } from '../../store/audit.js';
import { recordConsent } from '../../store/consent.js';
import { resolveMember } from '../../store/member-ref.js';
import { recomputeStats } from '../../store/member-stats.js';
import { memberView } from '../../store/member-view.js';
import { MergeError, mergeMembers } from '../../store/merges.js';
import { unmergeMerge } from '../../store/unmerges.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import type { Person } from '../support/members.js';
import { act, dumpMember, linkCrm, seedIdentity } from '../support/members.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => {
  await t?.close();
});

const who = { actor: 'ops-alice', reason: 'same person, confirmed by email' };
const posts = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => ({ type: 'message.posted' as const, daysAgo: from + i }));

/** Two people with nothing in common: each with identities, activity, consent, CRM links. */
async function twoPeople(tag: string) {
  const ada: Person = {
    platform: 'slack',
    userId: `U-${tag}`,
    email: `ada-${tag}@example.com`,
    handle: `ada${tag}`,
    name: 'Ada',
  };
  const bob: Person = {
    platform: 'discourse',
    userId: `7-${tag}`,
    email: `bob-${tag}@example.com`,
    handle: `bob${tag}`,
    name: 'Bob',
  };
  const bobChat: Person = {
    platform: 'discord',
    userId: `D-${tag}`,
    email: `bob-${tag}@example.com`,
    handle: `bobd${tag}`,
  };
  const adaId = await act(t.db, ada, [
    { type: 'member.joined', daysAgo: 40 },
    ...posts(3, 5),
    { type: 'reaction.added', daysAgo: 2 },
  ]);
  const bobId = await act(t.db, bob, [{ type: 'member.joined', daysAgo: 60 }, ...posts(2, 50)]);
  expect(await act(t.db, bobChat, posts(1, 3))).toBe(bobId);
  await recordConsent(t.db, adaId, 'email', 'opted_in', 'signup-form');
  await recordConsent(t.db, bobId, 'email', 'opted_out', 'link');
  await linkCrm(t.db, adaId, 'crm-one', `P-ada-${tag}`);
  await linkCrm(t.db, bobId, 'crm-one', `P-bob-${tag}`);
  await linkCrm(t.db, bobId, 'crm-two', `S-bob-${tag}`);
  return { ada, bob, adaId, bobId };
}

describe('merge, then unmerge', () => {
  it('merges everything onto the kept member and then restores both exactly', async () => {
    const { adaId, bobId } = await twoPeople('x');
    const before = { ada: await dumpMember(t.db, adaId), bob: await dumpMember(t.db, bobId) };
    expect(before.ada.milestones).toHaveLength(1);
    expect(before.bob.identities).toHaveLength(2);

    const merged = await mergeMembers(t.db, adaId, bobId, who);
    expect(merged).toEqual({
      mergeId: expect.any(String),
      keptMemberId: adaId,
      mergedMemberId: bobId,
    });

    const view = (await memberView(t.db, adaId, DEFAULT_MEMBERS_CONFIG))!;
    expect(view.platforms).toEqual(['discord', 'discourse', 'slack']);
    expect(view.activity.total).toBe(5 + 3 + 1);
    expect(view.activity.byType).toEqual({
      'member.joined': 2,
      'message.posted': 6,
      'reaction.added': 1,
    });
    expect(view.activity.byPlatform).toEqual({ slack: 5, discourse: 3, discord: 1 });
    // Bob joined 20 days before Ada: the merged member was first seen when Bob was.
    expect(view.firstSeenAt).toBe(iso(before.bob.member_stats?.first_seen_at));
    // The stricter consent wins: Bob had opted out of email.
    expect(view.consent).toEqual([
      expect.objectContaining({ channel: 'email', status: 'opted_out', source: 'link' }),
    ]);
    // CRM links: Ada keeps hers; Bob's moves only where Ada had none for that CRM.
    expect(view.crm.map((l) => `${l.crm}=${l.personId}`)).toEqual([
      'crm-one=P-ada-x',
      'crm-two=S-bob-x',
    ]);
    // Milestones: the earliest first post of the two (Bob's, 51 days ago).
    expect(view.milestones.map((m) => m.name)).toEqual(['first_post']);
    expect(view.milestones[0]!.reachedAt).toBe(iso(before.bob.milestones[0]?.reached_at));
    expect(Date.parse(view.milestones[0]!.reachedAt)).toBeLessThan(
      Date.parse(iso(before.ada.milestones[0]?.reached_at)),
    );
    // The merged member is a pointer now, and everything that names it follows it.
    expect((await dumpMember(t.db, bobId)).identities).toEqual([]);
    expect(await resolveMember(t.db, 'BOB-x@example.com')).toEqual({
      id: adaId,
      mergedFrom: bobId,
    });
    expect(await resolveMember(t.db, 'discourse:7-x')).toEqual({ id: adaId });
    expect((await requireMember(t.db, bobId)).id).toBe(adaId);

    const undone = await unmergeMerge(t.db, merged.mergeId, {
      actor: 'ops-bruno',
      reason: 'two people after all',
    });
    expect(undone).toEqual(merged);
    expect({ ada: await dumpMember(t.db, adaId), bob: await dumpMember(t.db, bobId) }).toEqual(
      before,
    );
    expect((await requireMember(t.db, bobId)).id).toBe(bobId);

    const audit = await listAudit(t.db, { memberId: bobId });
    expect(audit.map((a) => [a.action, a.actor, a.reason, a.subject])).toEqual([
      ['merge', 'ops-alice', who.reason, merged],
      ['unmerge', 'ops-bruno', 'two people after all', merged],
    ]);
    const row = await t.db
      .selectFrom('merges')
      .selectAll()
      .where('id', '=', merged.mergeId)
      .executeTakeFirstOrThrow();
    expect(row.undone_by).toBe('ops-bruno');
    expect(row.undone_at).toBeInstanceOf(Date);
  });

  it('gives activity, identities and opt-outs from between merge and unmerge to the right member', async () => {
    const { ada, bob, adaId, bobId } = await twoPeople('y');
    const adaBefore = await dumpMember(t.db, adaId);
    const { mergeId } = await mergeMembers(t.db, adaId, bobId, who);

    // In between: Bob posts twice on the forum, appears on a new platform with his email, and
    // someone unsubscribes through the kept member (whose, townhall cannot tell).
    expect(await act(t.db, bob, posts(2, 1))).toBe(adaId);
    const bobNew: Person = { platform: 'matrix', userId: 'M-y', email: 'Bob-y@example.com' };
    expect(await act(t.db, bobNew, posts(1, 1))).toBe(adaId);
    expect(await act(t.db, ada, [{ type: 'reaction.added', daysAgo: 1 }])).toBe(adaId);
    await t.db
      .insertInto('consent')
      .values({ member_id: adaId, channel: 'sms', status: 'opted_out', source: 'link' })
      .execute();
    expect((await memberView(t.db, adaId, DEFAULT_MEMBERS_CONFIG))!.activity.total).toBe(
      9 + 2 + 1 + 1,
    );

    await unmergeMerge(t.db, mergeId, { actor: 'ops-bruno' });
    const ada2 = (await memberView(t.db, adaId, DEFAULT_MEMBERS_CONFIG))!;
    const bob2 = (await memberView(t.db, bobId, DEFAULT_MEMBERS_CONFIG))!;
    expect(ada2.activity.total).toBe(5 + 1);
    expect(ada2.activity.byPlatform).toEqual({ slack: 6 });
    expect(bob2.activity.total).toBe(3 + 1 + 2 + 1);
    expect(bob2.activity.byPlatform).toEqual({ discourse: 5, discord: 1, matrix: 1 });
    expect(bob2.identities.map((i) => i.platform).sort()).toEqual([
      'discord',
      'discourse',
      'matrix',
    ]);
    // Ada's own opted-in email consent is back; the sms opt-out applies to both.
    expect(ada2.consent.map((c) => `${c.channel}:${c.status}`).sort()).toEqual([
      'email:opted_in',
      'sms:opted_out',
    ]);
    expect(bob2.consent.map((c) => `${c.channel}:${c.status}`).sort()).toEqual([
      'email:opted_out',
      'sms:opted_out',
    ]);
    const adaAfter = await dumpMember(t.db, adaId);
    expect(adaAfter.member).toEqual(adaBefore.member);
    expect(adaAfter.crm_links).toEqual(adaBefore.crm_links);
  });
});

/** A dumped timestamp as the view prints it. */
const iso = (value: unknown) => new Date(value as string).toISOString();

describe('refusals', () => {
  const refused = async (promise: Promise<unknown>, message: RegExp) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MergeError);
    expect((error as Error).message).toMatch(message);
  };

  it('refuses a member with itself, a merged member, chains, and undos twice or out of order', async () => {
    const ids = await Promise.all(
      ['a', 'b', 'c', 'd'].map((n) =>
        seedIdentity(t.db, { platform: 'slack', userId: `R-${n}`, email: `${n}-r@example.com` }),
      ),
    );
    const [a, b, c, d] = ids as [string, string, string, string];
    await refused(mergeMembers(t.db, a, a, who), /with itself/);
    await refused(mergeMembers(t.db, a, b, { ...who, reason: '  ' }), /needs a reason/);
    await refused(mergeMembers(t.db, a, 'not-a-uuid', who), /not a member id/);
    await refused(mergeMembers(t.db, a, '00000000-0000-4000-8000-000000000000', who), /not found/);

    const first = await mergeMembers(t.db, a, b, who);
    await refused(mergeMembers(t.db, c, b, who), /already merged into/);
    await refused(
      mergeMembers(t.db, b, c, who),
      /was merged into .*merge into that member instead/,
    );
    await refused(mergeMembers(t.db, d, a, who), /other members merged into it.*chain/);
    const second = await mergeMembers(t.db, a, c, who);

    await refused(
      unmergeMerge(t.db, first.mergeId, { actor: 'ops' }),
      new RegExp(`later merges .*${second.mergeId}`),
    );
    await unmergeMerge(t.db, second.mergeId, { actor: 'ops' });
    await refused(unmergeMerge(t.db, second.mergeId, { actor: 'ops' }), /already undone/);
    await unmergeMerge(t.db, first.mergeId, { actor: 'ops' });
    await refused(
      unmergeMerge(t.db, '00000000-0000-4000-8000-000000000000', { actor: 'ops' }),
      /no merge/,
    );
    expect((await listAudit(t.db, { memberId: a })).map((e) => e.action)).toEqual([
      'merge',
      'merge',
      'unmerge',
      'unmerge',
    ]);
  });
});

describe('recomputeStats', () => {
  it('rebuilds from the ledger what ingest kept incrementally, leaving staff out', async () => {
    const person: Person = { platform: 'slack', userId: 'U-stats', email: 'stats@example.com' };
    const id = await act(t.db, person, [...posts(4, 2), { type: 'reaction.added', daysAgo: 1 }]);
    await act(
      t.db,
      { platform: 'discord', userId: 'D-staff', email: 'stats@example.com', staff: true },
      posts(3, 1),
    );
    const kept = (await dumpMember(t.db, id)).member_stats;
    await t.db
      .updateTable('member_stats')
      .set({ total: 0, by_type: '{}', by_platform: '{}', last_active_at: null })
      .where('member_id', '=', id)
      .execute();
    await recomputeStats(t.db, id);
    expect((await dumpMember(t.db, id)).member_stats).toEqual(kept);
    expect(kept).toMatchObject({ total: 5, by_platform: { slack: 5 } });
  });
});
