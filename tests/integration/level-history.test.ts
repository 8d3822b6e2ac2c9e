// A member's level moved when their view is read (store/member-view.ts): a champion quiet past
// demoteAfter is demoted, the change kept once in the level history (store/level-changes.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MEMBERS_CONFIG } from '../../config/members.js';
import { levelHistory } from '../../store/level-changes.js';
import { memberView } from '../../store/member-view.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(() => t?.close());

const DAY = 86_400_000;

describe('the level history', () => {
  it('keeps a demotion seen by a view once, and nothing when the level stays', async () => {
    const now = new Date();
    const { id } = await t.db
      .insertInto('members')
      .values({ email: 'quiet@example.com', name: 'Quiet' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('member_stats')
      .values({
        member_id: id,
        first_seen_at: new Date(now.getTime() - 90 * DAY),
        level: 'champion',
        level_since: new Date(now.getTime() - 60 * DAY),
        below_since: new Date(now.getTime() - 30 * DAY),
      })
      .execute();

    const view = await memberView(t.db, id, DEFAULT_MEMBERS_CONFIG, now);
    expect(view?.engagement.level).toBe('observer');
    await memberView(t.db, id, DEFAULT_MEMBERS_CONFIG, now);
    expect(await levelHistory(t.db, id)).toEqual([{ level: 'observer', at: now.toISOString() }]);
    const { level } = await t.db
      .selectFrom('member_stats')
      .select('level')
      .where('member_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(level).toBe('observer');
  });
});
