import { sql } from 'kysely';
import type { Db } from './db.js';

/** One operator action: who did what, when, why, and to what. */
export interface AuditEntry {
  id: string;
  action: string;
  actor: string;
  reason: string | null;
  subject: Record<string, unknown>;
  at: Date;
}

export async function recordAudit(
  db: Db,
  entry: { action: string; actor: string; reason: string | null; subject: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('audit')
    .values({
      action: entry.action,
      actor: entry.actor,
      reason: entry.reason,
      subject: JSON.stringify(entry.subject),
    })
    .execute();
}

/**
 * The audit trail, oldest first; with `memberId`, only entries whose subject names that member
 * (as keptMemberId, mergedMemberId or memberId).
 */
export async function listAudit(
  db: Db,
  filter: { memberId?: string; action?: string } = {},
): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit').selectAll().orderBy('id');
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.memberId) {
    const id = filter.memberId;
    query = query.where(
      (eb) =>
        sql<boolean>`${eb.ref('subject')}->>'keptMemberId' = ${id}
          or ${eb.ref('subject')}->>'mergedMemberId' = ${id}
          or ${eb.ref('subject')}->>'memberId' = ${id}`,
    );
  }
  const rows = await query.execute();
  return rows.map((row) => ({
    id: String(row.id),
    action: row.action,
    actor: row.actor,
    reason: row.reason,
    subject: row.subject as Record<string, unknown>,
    at: row.at,
  }));
}
