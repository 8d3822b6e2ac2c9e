// The incremental sync's position (store/sync.ts): members in (changed_at, member id) order,
// paged past a watermark that keeps PostgreSQL's microseconds. Many members changed within the
// same millisecond are each read exactly once, and a member changed again is read again.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceWatermark, changedSince, readWatermark } from '../../store/sync.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(() => t?.close());

async function pageThrough(crm: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  for (let page = 0; page < 100; page++) {
    const { memberIds, last } = await changedSince(t.db, await readWatermark(t.db, crm), limit);
    if (!last) return seen;
    seen.push(...memberIds);
    await advanceWatermark(t.db, crm, last);
  }
  throw new Error('the sync never caught up');
}

describe('the sync watermark', () => {
  it('reads 250 members changed within one millisecond once each, then again after a change', async () => {
    const members = await t.db
      .insertInto('members')
      .values(Array.from({ length: 250 }, (_, i) => ({ email: `m${i}@example.com` })))
      .returning('id')
      .execute();
    // Microseconds apart, all in the same millisecond, some exactly equal.
    for (const [i, { id }] of members.entries())
      await sql`insert into member_stats (member_id, changed_at)
        values (${id}, '2026-11-30 12:00:00.123'::timestamptz + make_interval(secs => ${(i % 97) / 1e6}))`.execute(
        t.db,
      );

    const first = await pageThrough('crm-a', 100);
    expect(first).toHaveLength(250);
    expect(new Set(first)).toEqual(new Set(members.map((m) => m.id)));
    expect(await pageThrough('crm-a', 100)).toEqual([]);

    await t.db
      .updateTable('member_stats')
      .set({ changed_at: sql`now()` })
      .where('member_id', '=', members[7]!.id)
      .execute();
    expect(await pageThrough('crm-a', 100)).toEqual([members[7]!.id]);
    // Each CRM has its own watermark.
    expect(await pageThrough('crm-b', 64)).toHaveLength(250);
  });
});
