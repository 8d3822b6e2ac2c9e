import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Keeps a member's level change for the member view's history; no change, no row. */
export async function noteLevelChange(
  db: Kysely<Database>,
  memberId: string,
  change: { from: string | null; to: string | null; at: Date },
): Promise<void> {
  if (change.from === change.to) return;
  await db
    .insertInto('level_changes')
    .values({ member_id: memberId, level: change.to, at: change.at })
    .execute();
}

/** The member's level changes, oldest first (at most the last `limit`). */
export async function levelHistory(
  db: Kysely<Database>,
  memberId: string,
  limit = 50,
): Promise<{ level: string | null; at: string }[]> {
  const rows = await db
    .selectFrom('level_changes')
    .select(['level', 'at'])
    .where('member_id', '=', memberId)
    .orderBy('at', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map((row) => ({ level: row.level, at: row.at.toISOString() }));
}
