import { sql } from 'kysely';
import type { MembersConfig } from '../config/members.js';
import { recordAudit } from './audit.js';
import type { Db } from './db.js';
import { recomputeStats } from './member-stats.js';

/** A merge or unmerge that must not happen, with the reason in words an operator can act on. */
export class MergeError extends Error {
  override name = 'MergeError';
}

/**
 * A row as PostgreSQL's to_jsonb writes it. Backups keep rows in this form and restore them with
 * jsonb_populate_record: timestamps keep their microseconds, and a column added to one of these
 * tables later is backed up and restored without a change here.
 */
export type Row = Record<string, unknown>;

/** Every row that makes up one member, as it was. */
export interface MemberSnapshot {
  member: Row;
  identities: Row[];
  member_stats: Row | null;
  milestones: Row[];
  consent: Row[];
  crm_links: Row[];
}

/** What `merges.backup` holds: enough to put both members back exactly. */
export interface MergeBackup {
  version: 1;
  kept: MemberSnapshot;
  merged: MemberSnapshot;
  /** What the merge itself left on the kept member: an unmerge tells later changes by these. */
  afterMerge: { consent: Row[]; milestones: Row[] };
}

export interface MergeOutcome {
  mergeId: string;
  keptMemberId: string;
  mergedMemberId: string;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ORDER = {
  identities: 't.platform, t.community_id, t.platform_user_id',
  milestones: 't.name',
  consent: 't.channel',
  crm_links: 't.crm',
} as const;

export async function rowsOf(db: Db, table: keyof typeof ORDER, memberId: string): Promise<Row[]> {
  const result = await sql<{ rows: Row[] }>`
    select coalesce(jsonb_agg(to_jsonb(t) order by ${sql.raw(ORDER[table])}), '[]'::jsonb) as rows
    from ${sql.table(table)} as t where t.member_id = ${memberId}`.execute(db);
  return result.rows[0]?.rows ?? [];
}

async function rowOf(db: Db, table: 'members' | 'member_stats', column: string, id: string) {
  const result = await sql<{ row: Row }>`
    select to_jsonb(t) as row from ${sql.table(table)} as t
    where ${sql.ref(`t.${column}`)} = ${id}`.execute(db);
  return result.rows[0]?.row ?? null;
}

/** Every row of one member: the members row, identities, roll-ups, milestones, consent, CRM links. */
export async function snapshotMember(db: Db, memberId: string): Promise<MemberSnapshot> {
  const member = await rowOf(db, 'members', 'id', memberId);
  if (!member) throw new MergeError(`member ${memberId} not found`);
  return {
    member,
    identities: await rowsOf(db, 'identities', memberId),
    member_stats: await rowOf(db, 'member_stats', 'member_id', memberId),
    milestones: await rowsOf(db, 'milestones', memberId),
    consent: await rowsOf(db, 'consent', memberId),
    crm_links: await rowsOf(db, 'crm_links', memberId),
  };
}

export const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;

/** Both members, locked for the rest of the transaction (in id order, so merges cannot deadlock). */
export async function lockMembers(db: Db, ids: string[]) {
  return db
    .selectFrom('members')
    .select(['id', 'email', 'merged_into'])
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Merges that are in force (not undone) and name the member on the given side. */
async function activeMerges(db: Db, side: 'kept_member_id' | 'merged_member_id', id: string) {
  return db
    .selectFrom('merges')
    .select(['id', 'kept_member_id'])
    .where(side, '=', id)
    .where('undone_at', 'is', null)
    .orderBy('created_at')
    .execute();
}

/**
 * Merges `mergeId` into `keepId`, in one transaction. The merged member's identities move to the
 * kept member, and with them its activity (the ledger points at identities, nothing is
 * rewritten). Consent merges per channel to the stricter value (an opt-out wins); CRM links move
 * where the kept member has none for that CRM (the others stay with the merged member, which the
 * CRM sync skips); milestones keep the earliest of each; an email moves when the kept member has
 * none; roll-ups are recomputed from the ledger. `merges.backup` holds every row of both members
 * as they were, for unmergeMerge (store/unmerges.ts). Refuses a member with itself, an already merged member, and a
 * merge that would make a chain (merging away a member others were merged into).
 */
export async function mergeMembers(
  db: Db,
  keepId: string,
  mergeId: string,
  options: { reason: string; actor: string; config?: MembersConfig; now?: Date },
): Promise<MergeOutcome> {
  const reason = options.reason.trim();
  if (!reason) throw new MergeError('a merge needs a reason');
  if (!options.actor.trim()) throw new MergeError('a merge needs an actor');
  for (const id of [keepId, mergeId])
    if (!UUID.test(id)) throw new MergeError(`"${id}" is not a member id`);
  if (keepId.toLowerCase() === mergeId.toLowerCase())
    throw new MergeError(`cannot merge member ${keepId} with itself`);

  return db.transaction().execute(async (trx) => {
    const locked = await lockMembers(trx, [keepId, mergeId]);
    const keep = locked.find((m) => m.id === keepId.toLowerCase());
    const merge = locked.find((m) => m.id === mergeId.toLowerCase());
    if (!keep) throw new MergeError(`member ${keepId} not found`);
    if (!merge) throw new MergeError(`member ${mergeId} not found`);
    if (keep.merged_into)
      throw new MergeError(
        `member ${keep.id} was merged into ${keep.merged_into}: merge into that member instead`,
      );
    if (merge.merged_into)
      throw new MergeError(`member ${merge.id} is already merged into ${merge.merged_into}`);
    const absorbed = await activeMerges(trx, 'kept_member_id', merge.id);
    if (absorbed.length > 0)
      throw new MergeError(
        `member ${merge.id} has other members merged into it (merge ${absorbed.map((m) => m.id).join(', ')}): ` +
          `merging it away would make a chain; keep ${merge.id} instead, or undo those merges first`,
      );

    const kept = await snapshotMember(trx, keep.id);
    const merged = await snapshotMember(trx, merge.id);

    if (keep.email === null && merge.email !== null) {
      // One member per address (a unique index): the address moves, the unmerge moves it back.
      await sql`update members set email = null, updated_at = now() where id = ${merge.id}`.execute(
        trx,
      );
      await sql`update members set email = ${merge.email}, updated_at = now() where id = ${keep.id}`.execute(
        trx,
      );
    }
    await sql`update members set name = coalesce(name, ${merged.member.name}),
              updated_at = now() where id = ${keep.id}`.execute(trx);
    await sql`update identities set member_id = ${keep.id} where member_id = ${merge.id}`.execute(
      trx,
    );
    await sql`
      insert into consent (member_id, channel, status, source, updated_at)
      select ${keep.id}, channel, status, source, updated_at from consent where member_id = ${merge.id}
      on conflict (member_id, channel) do update
        set status = excluded.status, source = excluded.source, updated_at = now()
        where consent.status = 'opted_in' and excluded.status = 'opted_out'`.execute(trx);
    await sql`delete from consent where member_id = ${merge.id}`.execute(trx);
    await sql`
      update crm_links set member_id = ${keep.id}
      where member_id = ${merge.id}
        and crm not in (select crm from crm_links where member_id = ${keep.id})`.execute(trx);
    await sql`
      insert into milestones (member_id, name, reached_at, event_id)
      select ${keep.id}, name, reached_at, event_id from milestones where member_id = ${merge.id}
      on conflict (member_id, name) do update
        set reached_at = excluded.reached_at, event_id = excluded.event_id
        where excluded.reached_at < milestones.reached_at`.execute(trx);
    await sql`delete from milestones where member_id = ${merge.id}`.execute(trx);
    await sql`
      update member_stats set first_seen_at = least(first_seen_at,
        (select first_seen_at from member_stats where member_id = ${merge.id}))
      where member_id = ${keep.id}`.execute(trx);
    await sql`delete from member_stats where member_id = ${merge.id}`.execute(trx);
    await sql`update members set merged_into = ${keep.id}, updated_at = now() where id = ${merge.id}`.execute(
      trx,
    );
    await recomputeStats(trx, keep.id, { config: options.config, now: options.now });

    const backup: MergeBackup = {
      version: 1,
      kept,
      merged,
      afterMerge: {
        consent: await rowsOf(trx, 'consent', keep.id),
        milestones: await rowsOf(trx, 'milestones', keep.id),
      },
    };
    const inserted = await trx
      .insertInto('merges')
      .values({
        kept_member_id: keep.id,
        merged_member_id: merge.id,
        backup: JSON.stringify(backup),
        reason,
        actor: options.actor,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const outcome = { mergeId: inserted.id, keptMemberId: keep.id, mergedMemberId: merge.id };
    await recordAudit(trx, { action: 'merge', actor: options.actor, reason, subject: outcome });
    return outcome;
  });
}

/** The merges of a member, newest first (as kept or merged member), for `members show`. */
export async function mergesOf(db: Db, memberId: string) {
  return db
    .selectFrom('merges')
    .select([
      'id',
      'kept_member_id',
      'merged_member_id',
      'reason',
      'actor',
      'created_at',
      'undone_at',
      'undone_by',
    ])
    .where((eb) =>
      eb.or([eb('kept_member_id', '=', memberId), eb('merged_member_id', '=', memberId)]),
    )
    .orderBy('created_at', 'desc')
    .execute();
}
