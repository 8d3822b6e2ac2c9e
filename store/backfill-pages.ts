import { sql } from 'kysely';
import type { Db } from './db.js';

/**
 * A backfill's pages as ranges of member ids: page i is the members after `ends[i - 1]` (after
 * the run's start for the first) up to and including `ends[i]`. Only the ends go through
 * Temporal, one id a page instead of every member's, and each push reads its own members.
 */
export interface PageEnds {
  ends: string[];
  /** No member comes after the last end (when it was read): the backfill ends with these. */
  complete: boolean;
}

/**
 * Up to `pages` pages of `size` members after `afterId` (from the first member without one), in
 * id order, merged-away members skipped: every size-th id, and the last id where the last page
 * is short. The database numbers the rows, so only the ends leave it.
 */
export async function pageEnds(
  db: Db,
  afterId: string | undefined,
  size: number,
  pages: number,
): Promise<PageEnds> {
  const limit = size * pages;
  // One row past the limit says whether anything is left after these pages.
  const { rows } = await sql<{ id: string; n: string; total: string }>`
    with next as (
      select id from members
      where merged_into is null ${afterId ? sql`and id > ${afterId}` : sql``}
      order by id limit ${limit + 1}
    ),
    numbered as (
      select id, row_number() over (order by id) as n, count(*) over () as total from next
    )
    select id, n, total from numbered
    where n <= ${limit} and (n % ${size} = 0 or n = least(total, ${limit}))
    order by id`.execute(db);
  return {
    ends: rows.map((row) => row.id),
    complete: rows.length === 0 || Number(rows[0]!.total) <= limit,
  };
}

/** The members of one page: after `afterId` (from the first without one) through `throughId`. */
export async function membersThrough(
  db: Db,
  afterId: string | undefined,
  throughId: string,
): Promise<string[]> {
  let query = db
    .selectFrom('members')
    .select('id')
    .where('merged_into', 'is', null)
    .where('id', '<=', throughId)
    .orderBy('id');
  if (afterId) query = query.where('id', '>', afterId);
  return (await query.execute()).map((row) => row.id);
}
