import { sql } from 'kysely';
import type { Kysely, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type { Database } from './schema.js';

/**
 * Moves a member's level with `update` (an UPDATE of their member_stats row) and, when it moved
 * a row to another level, keeps the change for the member view's history, in one statement: a
 * guarded update that matched nothing keeps no row, and no change of level, none either.
 */
export async function moveLevel(
  db: Kysely<Database>,
  update: UpdateQueryBuilder<Database, 'member_stats', 'member_stats', UpdateResult>,
  change: { from: string | null; to: string | null; at: Date },
): Promise<void> {
  if (change.from === change.to) {
    await update.execute();
    return;
  }
  await db
    .with('moved', () => update.returning('member_id'))
    .insertInto('level_changes')
    .columns(['member_id', 'level', 'at'])
    .expression((eb) =>
      eb
        .selectFrom('moved')
        .select([
          'moved.member_id',
          sql<string | null>`${change.to}::text`.as('level'),
          sql<Date>`${change.at}::timestamptz`.as('at'),
        ]),
    )
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
