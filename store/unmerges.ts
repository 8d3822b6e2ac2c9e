import { sql } from 'kysely';
import type { MembersConfig } from '../config/members.js';
import { recordAudit } from './audit.js';
import type { Db } from './db.js';
import { recomputeStats } from './member-stats.js';
import type { MergeBackup, MergeOutcome, Row } from './merges.js';
import { MergeError, UUID, json, lockMembers, rowsOf } from './merges.js';

/**
 * Undoes a merge: both members get back every row the backup holds (members row, identities,
 * consent, CRM links, milestones, roll-ups), `merged_into` is cleared, and the merge is marked
 * undone. Refuses a merge already undone, and one with a later merge of the same member still
 * in force (undo the newest first).
 *
 * What happened between the merge and the unmerge stays true, as far as it can be told apart:
 * - Activity belongs to identities: once the identities are back with their members, the ledger
 *   rows recorded in between count for the member whose identity acted. The roll-ups restored
 *   from the backup are then recomputed from the ledger for both members, which counts that
 *   activity where it belongs (and changes nothing when there was none).
 * - A new identity that joined the kept member in between by the merged member's email goes to
 *   the merged member, as the same-email rule would have put it; other new identities stay.
 * - Identity fields (handle, display name, last seen) are the platforms' current word and are
 *   not rolled back; only which member each identity belongs to is restored.
 * - A consent change recorded in between on the kept member stays with it, and an opt-out is
 *   also given to the merged member (there is no telling whose it was: an opt-out wins).
 * - Milestones reached in between go to the member whose identity reached them.
 * - CRM links come back as backed up; a link made in between for a CRM the restored member has
 *   no link for stays. The roll-ups' new changed_at makes the sync write both members again.
 */
export async function unmergeMerge(
  db: Db,
  mergeId: string,
  options: { actor: string; reason?: string; config?: MembersConfig; now?: Date },
): Promise<MergeOutcome> {
  if (!UUID.test(mergeId)) throw new MergeError(`"${mergeId}" is not a merge id`);
  if (!options.actor.trim()) throw new MergeError('an unmerge needs an actor');

  return db.transaction().execute(async (trx) => {
    const merge = await trx
      .selectFrom('merges')
      .selectAll()
      .where('id', '=', mergeId)
      .forUpdate()
      .executeTakeFirst();
    if (!merge) throw new MergeError(`no merge ${mergeId}`);
    if (merge.undone_at)
      throw new MergeError(
        `merge ${merge.id} was already undone (${merge.undone_at.toISOString()} by ${merge.undone_by ?? 'unknown'})`,
      );
    const [k, m] = [merge.kept_member_id, merge.merged_member_id];
    const later = await trx
      .selectFrom('merges')
      .select('id')
      .where('undone_at', 'is', null)
      .where('id', '!=', merge.id)
      // Compared in the database: a JavaScript Date would cut the microseconds.
      .where('created_at', '>=', (eb) =>
        eb.selectFrom('merges as this').select('this.created_at').where('this.id', '=', merge.id),
      )
      .where((eb) =>
        eb.or([eb('kept_member_id', 'in', [k, m]), eb('merged_member_id', 'in', [k, m])]),
      )
      .orderBy('created_at', 'desc')
      .execute();
    if (later.length > 0)
      throw new MergeError(
        `merge ${merge.id} has later merges of the same member still in force (${later.map((l) => l.id).join(', ')}): undo those first, newest first`,
      );
    await lockMembers(trx, [k, m]);
    const backup = merge.backup as MergeBackup;
    if (backup?.version !== 1) throw new MergeError(`merge ${merge.id} has no backup to restore`);
    const { kept, merged, afterMerge } = backup;

    // What changed in between, read before the backup's rows go back.
    const consentChangedOnKept = await sql<{ row: Row }>`
      select to_jsonb(c) as row from consent c where c.member_id = ${k} and not exists (
        select 1 from jsonb_populate_recordset(null::consent, ${json(afterMerge.consent)}) r
        where r.channel = c.channel and r.status = c.status and r.source = c.source
          and r.updated_at = c.updated_at)`.execute(trx);
    const consentOnMerged = await rowsOf(trx, 'consent', m);
    const milestonesInBetween = await sql<{ row: Row }>`
      select to_jsonb(x) as row from milestones x where x.member_id = ${k} and not exists (
        select 1 from jsonb_populate_recordset(null::milestones, ${json(afterMerge.milestones)}) r
        where r.name = x.name and r.event_id = x.event_id and r.reached_at = x.reached_at)`.execute(
      trx,
    );
    const linksNow = [
      ...(await rowsOf(trx, 'crm_links', k)),
      ...(await rowsOf(trx, 'crm_links', m)),
    ];

    // Members: addresses are unique, so both let go of theirs before either takes one back.
    await sql`update members set email = null where id in (${k}, ${m})`.execute(trx);
    await sql`
      update members t set email = r.email, name = r.name, updated_at = r.updated_at,
        merged_into = r.merged_into
      from jsonb_populate_recordset(null::members, ${json([kept.member, merged.member])}) r
      where t.id = r.id`.execute(trx);

    await sql`
      update identities t set member_id = r.member_id
      from jsonb_populate_recordset(null::identities, ${json([...kept.identities, ...merged.identities])}) r
      where t.platform = r.platform and t.community_id = r.community_id
        and t.platform_user_id = r.platform_user_id and t.member_id in (${k}, ${m})`.execute(trx);
    const mergedEmail = merged.member.email as string | null;
    if (mergedEmail)
      await sql`
        update identities t set member_id = ${m}
        where t.member_id = ${k} and lower(t.email) = lower(${mergedEmail}) and not exists (
          select 1 from jsonb_populate_recordset(null::identities, ${json(kept.identities)}) r
          where t.platform = r.platform and t.community_id = r.community_id
            and t.platform_user_id = r.platform_user_id)`.execute(trx);

    await sql`delete from consent where member_id in (${k}, ${m})`.execute(trx);
    await sql`insert into consent select * from jsonb_populate_recordset(null::consent,
              ${json([...kept.consent, ...merged.consent])})`.execute(trx);
    const changed = consentChangedOnKept.rows.map((r) => r.row);
    await sql`
      insert into consent select * from jsonb_populate_recordset(null::consent, ${json([
        ...changed,
        ...consentOnMerged,
      ])})
      on conflict (member_id, channel) do update
        set status = excluded.status, source = excluded.source, updated_at = excluded.updated_at`.execute(
      trx,
    );
    const optOuts = changed
      .filter((row) => row.status === 'opted_out')
      .map((row) => ({ ...row, member_id: m }));
    await sql`
      insert into consent select * from jsonb_populate_recordset(null::consent, ${json(optOuts)})
      on conflict (member_id, channel) do update
        set status = excluded.status, source = excluded.source, updated_at = excluded.updated_at
        where consent.status = 'opted_in'`.execute(trx);

    await sql`delete from crm_links where member_id in (${k}, ${m})`.execute(trx);
    await sql`insert into crm_links select * from jsonb_populate_recordset(null::crm_links,
              ${json([...kept.crm_links, ...merged.crm_links])})`.execute(trx);
    await sql`insert into crm_links select * from jsonb_populate_recordset(null::crm_links,
              ${json(linksNow)}) on conflict do nothing`.execute(trx);

    await sql`delete from milestones where member_id in (${k}, ${m})`.execute(trx);
    await sql`insert into milestones select * from jsonb_populate_recordset(null::milestones,
              ${json([...kept.milestones, ...merged.milestones])})`.execute(trx);
    await sql`
      insert into milestones (member_id, name, reached_at, event_id)
      select i.member_id, n.name, n.reached_at, n.event_id
      from jsonb_populate_recordset(null::milestones, ${json(milestonesInBetween.rows.map((r) => r.row))}) n
      join activity a on a.event_id = n.event_id
      join identities i on i.platform = a.platform and i.community_id = a.community_id
        and i.platform_user_id = a.platform_user_id
      where i.member_id in (${k}, ${m})
      on conflict do nothing`.execute(trx);

    await sql`delete from member_stats where member_id in (${k}, ${m})`.execute(trx);
    const stats = [kept.member_stats, merged.member_stats].filter((row) => row !== null);
    await sql`insert into member_stats select * from jsonb_populate_recordset(null::member_stats,
              ${json(stats)})`.execute(trx);
    for (const id of [k, m])
      await recomputeStats(trx, id, { config: options.config, now: options.now });

    await trx
      .updateTable('merges')
      .set({ undone_at: options.now ?? new Date(), undone_by: options.actor })
      .where('id', '=', merge.id)
      .execute();
    const outcome = { mergeId: merge.id, keptMemberId: k, mergedMemberId: m };
    await recordAudit(trx, {
      action: 'unmerge',
      actor: options.actor,
      reason: options.reason?.trim() || null,
      subject: outcome,
    });
    return outcome;
  });
}
