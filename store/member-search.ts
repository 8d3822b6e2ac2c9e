import { sql } from 'kysely';
import type { Db } from './db.js';

/** A member as a search result lists it: enough to pick one, then read its view. */
export interface MemberSummary {
  id: string;
  email: string | null;
  name: string | null;
  platforms: string[];
  handles: string[];
  lastActiveAt: string | null;
  level: string | null;
}

export interface MemberPage {
  members: MemberSummary[];
  total: number;
  limit: number;
  offset: number;
  /** The offset of the next page; null on the last one. */
  next: number | null;
}

export const MAX_PAGE = 100;

/** `%`, `_` and `\` match themselves. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Members whose email, name, or any identity's email, handle or display name contains `q`
 * (case-insensitive), most recently active first. An empty `q` lists everyone. Members merged
 * into another are left out: their identities are found on the kept member.
 */
export async function searchMembers(
  db: Db,
  options: { q?: string; limit?: number; offset?: number } = {},
): Promise<MemberPage> {
  const q = options.q?.trim() ?? '';
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 20), 1), MAX_PAGE);
  const offset = Math.max(Math.trunc(options.offset ?? 0), 0);
  const pattern = likePattern(q);
  const result = await sql<{
    id: string;
    email: string | null;
    name: string | null;
    platforms: string[] | null;
    handles: string[] | null;
    last_active_at: Date | null;
    level: string | null;
    total: string;
  }>`
    select m.id, m.email, m.name, s.last_active_at, s.level,
      (select array_agg(distinct i.platform order by i.platform)
         from identities i where i.member_id = m.id) as platforms,
      (select array_agg(distinct i.handle order by i.handle)
         from identities i where i.member_id = m.id and i.handle is not null) as handles,
      count(*) over () as total
    from members m
    left join member_stats s on s.member_id = m.id
    where m.merged_into is null
      and (${q} = ''
        or m.email ilike ${pattern} or m.name ilike ${pattern}
        or exists (select 1 from identities i where i.member_id = m.id
                   and (i.email ilike ${pattern} or i.handle ilike ${pattern}
                        or i.display_name ilike ${pattern})))
    order by s.last_active_at desc nulls last, m.id
    limit ${limit} offset ${offset}`.execute(db);
  // Past the last page there is no row to carry the count.
  const total = result.rows[0]
    ? Number(result.rows[0].total)
    : offset === 0
      ? 0
      : (await searchMembers(db, { q, limit: 1 })).total;
  return {
    members: result.rows.map((row) => ({
      id: row.id,
      email: row.email,
      name: row.name,
      platforms: row.platforms ?? [],
      handles: row.handles ?? [],
      lastActiveAt: row.last_active_at ? row.last_active_at.toISOString() : null,
      level: row.level,
    })),
    total,
    limit,
    offset,
    next: offset + result.rows.length < total ? offset + result.rows.length : null,
  };
}
