import { sql } from 'kysely';
import type { Db } from './db.js';

/** A thread the handoff serves: its run (workflow id), help desk and ticket once there is one. */
export interface HandoffThreadRecord {
  workflowId: string;
  platform: string;
  helpdesk: string;
  ticketId: string | null;
}

/** Notes the run the router is about to start or signal; the first rule's help desk stays. */
export async function noteHandoffThread(
  db: Db,
  thread: { workflowId: string; platform: string; helpdesk: string },
): Promise<void> {
  await db
    .insertInto('handoff_threads')
    .values({
      workflow_id: thread.workflowId,
      platform: thread.platform,
      helpdesk: thread.helpdesk,
      created_at: new Date(),
    })
    .onConflict((oc) => oc.column('workflow_id').doNothing())
    .execute();
}

/** The ticket a run opened (or found): help-desk webhooks about it reach that run. */
export async function linkHandoffTicket(
  db: Db,
  link: {
    workflowId: string;
    platform: string;
    helpdesk: string;
    ticketId: string;
    requesterMemberId?: string | undefined;
  },
): Promise<void> {
  await db
    .insertInto('handoff_threads')
    .values({
      workflow_id: link.workflowId,
      platform: link.platform,
      helpdesk: link.helpdesk,
      ticket_id: link.ticketId,
      requester_member_id: link.requesterMemberId ?? null,
      created_at: new Date(),
    })
    .onConflict((oc) =>
      oc.column('workflow_id').doUpdateSet({
        helpdesk: link.helpdesk,
        ticket_id: link.ticketId,
        requester_member_id: link.requesterMemberId ?? null,
      }),
    )
    .execute();
}

export async function handoffThread(
  db: Db,
  workflowId: string,
): Promise<HandoffThreadRecord | undefined> {
  const row = await db
    .selectFrom('handoff_threads')
    .select(['workflow_id', 'platform', 'helpdesk', 'ticket_id'])
    .where('workflow_id', '=', workflowId)
    .executeTakeFirst();
  return row && toRecord(row);
}

/** The run that opened this help desk's ticket, if townhall opened it. */
export async function handoffForTicket(
  db: Db,
  helpdesk: string,
  ticketId: string,
): Promise<HandoffThreadRecord | undefined> {
  const row = await db
    .selectFrom('handoff_threads')
    .select(['workflow_id', 'platform', 'helpdesk', 'ticket_id'])
    .where('helpdesk', '=', helpdesk)
    .where('ticket_id', '=', ticketId)
    .executeTakeFirst();
  return row && toRecord(row);
}

const toRecord = (row: {
  workflow_id: string;
  platform: string;
  helpdesk: string;
  ticket_id: string | null;
}): HandoffThreadRecord => ({
  workflowId: row.workflow_id,
  platform: row.platform,
  helpdesk: row.helpdesk,
  ticketId: row.ticket_id,
});

/**
 * A ticket event in the member's activity (ticket.created, ticket.solved), once per event id:
 * the member view counts it by type, and it changes no engagement score (it is not the member
 * talking).
 */
export async function recordTicketActivity(
  db: Db,
  activity: {
    eventId: string;
    memberId: string;
    type: 'ticket.created' | 'ticket.solved';
    identity: { platform: string; communityId: string; userId: string };
    channelId?: string | undefined;
    occurredAt: Date;
  },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('activity')
      .values({
        event_id: activity.eventId,
        platform: activity.identity.platform,
        community_id: activity.identity.communityId,
        platform_user_id: activity.identity.userId,
        type: activity.type,
        channel_id: activity.channelId ?? null,
        occurred_at: activity.occurredAt,
      })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .returning('event_id')
      .executeTakeFirst();
    if (!inserted) return false;
    await sql`
      insert into member_stats (member_id, by_type, by_platform, changed_at)
      values (${activity.memberId}, jsonb_build_object(${activity.type}::text, 1), '{}'::jsonb, now())
      on conflict (member_id) do update set
        by_type = member_stats.by_type || jsonb_build_object(${activity.type}::text,
          coalesce((member_stats.by_type ->> ${activity.type}::text)::int, 0) + 1),
        changed_at = now()`.execute(trx);
    return true;
  });
}
