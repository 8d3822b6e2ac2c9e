import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Activity rows joined to the identity that acted (`a` and `i`): every per-member count starts
 * here, then filters on `i.member_id` and, for counts of the member's own doing, `i.staff`.
 */
export const identityActivity = (db: Kysely<Database>) =>
  db
    .selectFrom('activity as a')
    .innerJoin('identities as i', (join) =>
      join
        .onRef('i.platform', '=', 'a.platform')
        .onRef('i.community_id', '=', 'a.community_id')
        .onRef('i.platform_user_id', '=', 'a.platform_user_id'),
    );
