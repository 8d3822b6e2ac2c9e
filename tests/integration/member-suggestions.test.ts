// Merge suggestions: evidence with a confidence each, never applied; pairs already merged (or
// merged and then separated by an operator) are not suggested.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeMembers } from '../../store/merges.js';
import { unmergeMerge } from '../../store/unmerges.js';
import { normalizeName, suggestMerges } from '../../store/member-suggestions.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { seedIdentity } from '../support/members.js';

let t: TestDb;
const ids: Record<string, string> = {};
const who = { actor: 'ops', reason: 'test' };

beforeAll(async () => {
  t = await openTestDb();
  const seed = async (key: string, person: Parameters<typeof seedIdentity>[1]) =>
    (ids[key] = await seedIdentity(t.db, person));
  // Same handle, two platforms, no email in common.
  await seed('carolSlack', {
    platform: 'slack',
    userId: 'U1',
    handle: 'CarolK',
    email: 'carol@example.com',
  });
  await seed('carolDiscord', { platform: 'discord', userId: '111', handle: 'carolk' });
  // Same display name once accents and punctuation go, two platforms.
  await seed('zoeForum', {
    platform: 'discourse',
    userId: '5',
    handle: 'zoe_b',
    name: "Zoë O'Brien",
  });
  await seed('zoeChat', { platform: 'slack', userId: 'U5', handle: 'zobr', name: 'zoe  o brien' });
  // Same handle on one platform (two communities): two accounts, not evidence.
  await seed('samA', { platform: 'discord', userId: '201', communityId: 'g1', handle: 'sam' });
  await seed('samB', { platform: 'discord', userId: '202', communityId: 'g2', handle: 'sam' });
  // Same handle, already merged: one member now.
  await seed('erinSlack', { platform: 'slack', userId: 'U7', handle: 'erin' });
  await seed('erinForum', { platform: 'discourse', userId: '7', handle: 'erin' });
  await mergeMembers(t.db, ids.erinSlack!, ids.erinForum!, who);
  // Same handle, merged and then separated by an operator: two people, on record.
  await seed('fredSlack', { platform: 'slack', userId: 'U8', handle: 'fred' });
  await seed('fredForum', { platform: 'discourse', userId: '8', handle: 'fred' });
  const { mergeId } = await mergeMembers(t.db, ids.fredSlack!, ids.fredForum!, who);
  await unmergeMerge(t.db, mergeId, { actor: 'ops' });
});
afterAll(async () => {
  await t?.close();
});

const pairs = (result: Awaited<ReturnType<typeof suggestMerges>>) =>
  result.suggestions.map((s) => [s.keep.id, s.merge.id, s.confidence]);

describe('suggestMerges', () => {
  it('finds the same handle on two platforms (0.8) and the same normalized name (0.6)', async () => {
    const result = await suggestMerges(t.db);
    expect(pairs(result)).toEqual([
      [ids.carolSlack, ids.carolDiscord, 0.8],
      [ids.zoeForum, ids.zoeChat, 0.6],
    ]);
    expect(result.suggestions[0]).toMatchObject({
      keep: { email: 'carol@example.com', platforms: ['slack'] },
      merge: { platforms: ['discord'] },
      reasons: [{ kind: 'same_handle', detail: 'same handle "carolk" on discord and slack' }],
    });
    expect(result.suggestions[1]!.reasons).toEqual([
      {
        kind: 'same_display_name',
        confidence: 0.6,
        detail: 'same display name "zoe o brien" on discourse and slack',
      },
    ]);
  });

  it('leaves out what is below --min-confidence, and says what it could not check', async () => {
    const result = await suggestMerges(t.db, { minConfidence: 0.8 });
    expect(pairs(result)).toEqual([[ids.carolSlack, ids.carolDiscord, 0.8]]);
    expect(result.notChecked.map((n) => n.kind)).toEqual(['help_desk_email']);
  });

  it('applies nothing', async () => {
    await suggestMerges(t.db);
    const merged = await t.db
      .selectFrom('members')
      .select('id')
      .where('merged_into', 'is not', null)
      .execute();
    expect(merged.map((m) => m.id)).toEqual([ids.erinForum]);
  });

  it('normalizes names: case, accents, punctuation, spaces', () => {
    expect(normalizeName("  Zoë O'Brien-Smith ")).toBe('zoe o brien smith');
    expect(normalizeName('ÅSA  Öberg')).toBe('asa oberg');
    expect(normalizeName('!!!')).toBe('');
  });
});
