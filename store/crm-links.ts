import type { Db } from './db.js';

/**
 * Which CRM record is which member's: one record per member and CRM, one member per record
 * (crm_links' primary key and its unique (crm, person_id) index). `crm` is the CRM connector's
 * id; `personId` its record id (a HubSpot contact id ...).
 */
export interface CrmLink {
  crm: string;
  personId: string;
  syncedAt: Date;
}

/**
 * Links a member to a CRM record, replacing the member's earlier record in that CRM. A record
 * linked to another member moves to this one: a CRM record is one person.
 */
export async function linkPerson(
  db: Db,
  memberId: string,
  crm: string,
  personId: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('crm_links')
      .where('crm', '=', crm)
      .where('person_id', '=', personId)
      .where('member_id', '<>', memberId)
      .execute();
    await trx
      .insertInto('crm_links')
      .values({ member_id: memberId, crm, person_id: personId })
      .onConflict((oc) =>
        oc
          .columns(['member_id', 'crm'])
          .doUpdateSet({ person_id: personId, synced_at: new Date() }),
      )
      .execute();
  });
}

/**
 * Forgets a CRM record that is gone (deleted in the CRM). The member stays; the next sync
 * upserts them again (they are marked changed), which makes a new record. Returns the members
 * that were linked to it (none when it was unknown).
 */
/** The members linked to a CRM record. */
export async function linkedMembers(db: Db, crm: string, personId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('crm_links')
    .select('member_id')
    .where('crm', '=', crm)
    .where('person_id', '=', personId)
    .execute();
  return rows.map((row) => row.member_id);
}

export async function unlinkPerson(db: Db, crm: string, personId: string): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .deleteFrom('crm_links')
      .where('crm', '=', crm)
      .where('person_id', '=', personId)
      .returning('member_id')
      .execute();
    const members = rows.map((row) => row.member_id);
    if (members.length > 0)
      await trx
        .updateTable('member_stats')
        .set({ changed_at: new Date() })
        .where('member_id', 'in', members)
        .execute();
    return members;
  });
}

/**
 * After the CRM merged records `fromIds` into `toId`: links to the merged records point at the
 * one that remains. A record is one member's, so when several members were linked to the records
 * involved, the member already linked to `toId` keeps it (else the one synced last), and the
 * others lose their link (the next sync upserts them again by their own key). Returns which
 * members now point at `toId` through this call and which lost their link.
 */
export async function repointPerson(
  db: Db,
  crm: string,
  fromIds: readonly string[],
  toId: string,
): Promise<{ repointed: string[]; unlinked: string[] }> {
  const from = [...new Set(fromIds)].filter((id) => id !== toId);
  if (from.length === 0) return { repointed: [], unlinked: [] };
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('crm_links')
      .select(['member_id', 'person_id', 'synced_at'])
      .where('crm', '=', crm)
      .where('person_id', 'in', [toId, ...from])
      .orderBy('synced_at', 'desc')
      .orderBy('member_id')
      .forUpdate()
      .execute();
    const keeper = rows.find((row) => row.person_id === toId) ?? rows[0];
    if (!keeper) return { repointed: [], unlinked: [] };
    const unlinked = rows.filter((row) => row !== keeper).map((row) => row.member_id);
    if (unlinked.length > 0)
      await trx
        .deleteFrom('crm_links')
        .where('crm', '=', crm)
        .where('member_id', 'in', unlinked)
        .execute();
    if (keeper.person_id === toId) return { repointed: [], unlinked };
    await trx
      .updateTable('crm_links')
      .set({ person_id: toId })
      .where('crm', '=', crm)
      .where('member_id', '=', keeper.member_id)
      .execute();
    return { repointed: [keeper.member_id], unlinked };
  });
}

/** A member's CRM records, one per CRM, by CRM id. */
export async function linksOf(db: Db, memberId: string): Promise<CrmLink[]> {
  const rows = await db
    .selectFrom('crm_links')
    .select(['crm', 'person_id', 'synced_at'])
    .where('member_id', '=', memberId)
    .orderBy('crm')
    .execute();
  return rows.map((row) => ({ crm: row.crm, personId: row.person_id, syncedAt: row.synced_at }));
}
