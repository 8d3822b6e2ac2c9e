import { ConnectorError } from '../connectors/errors.js';
import type {
  HelpDesk,
  ThreadMessage,
  ThreadReader,
  TicketRequester,
} from '../connectors/ports.js';
import { linkHandoffTicket, recordTicketActivity } from '../store/handoff.js';
import type { Db } from '../store/db.js';
import type { HandoffThread } from '../workflows/handoff/types.js';
import { activityInfo } from '@temporalio/activity';
import { requireCapability } from './not-configured.js';

/** A member as the store knows their platform identity: how a ticket names its requester. */
export interface KnownRequester {
  memberId: string;
  email: string | null;
  name: string | null;
  handle: string | null;
}

export async function memberByIdentity(
  db: Db,
  identity: { platform: string; communityId: string; userId: string },
): Promise<KnownRequester | undefined> {
  const row = await db
    .selectFrom('identities')
    .innerJoin('members', 'members.id', 'identities.member_id')
    .select([
      'members.id as memberId',
      'members.email as memberEmail',
      'identities.email as identityEmail',
      'members.name as name',
      'identities.display_name as displayName',
      'identities.handle as handle',
    ])
    .where('identities.platform', '=', identity.platform)
    .where('identities.community_id', '=', identity.communityId)
    .where('identities.platform_user_id', '=', identity.userId)
    .executeTakeFirst();
  return (
    row && {
      memberId: row.memberId,
      email: row.memberEmail ?? row.identityEmail,
      name: row.name ?? row.displayName,
      handle: row.handle,
    }
  );
}

/**
 * Who the ticket is for: the member with their email where the member view has one, else a
 * placeholder that says so and names their handle, so an agent knows to answer in the thread.
 */
export function requesterOf(
  platform: string,
  userId: string,
  known: KnownRequester | undefined,
  authorName: string | undefined,
): TicketRequester {
  const handle = known?.handle ?? authorName ?? userId;
  const name = known?.name ?? authorName ?? handle;
  if (known?.email) return { email: known.email, name, externalId: known.memberId };
  return {
    name: `${name} (${platform} @${handle}, no email known)`,
    externalId: known?.memberId ?? `${platform}:${userId}`,
  };
}

const oneLine = (text: string, max: number) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** The ticket's first message: where it comes from, a link, and the thread as people wrote it. */
export function transcriptBody(input: {
  thread: HandoffThread & { threadId: string };
  permalink: string | undefined;
  rule: string;
  requester: TicketRequester;
  messages: readonly ThreadMessage[];
  cut: boolean;
}): string {
  const lines = [
    `From the community: ${input.thread.platform}, channel ${input.thread.channelId}, thread ${input.thread.threadId}`,
    `Link: ${input.permalink ?? 'the platform gives none'}`,
    `Requester: ${input.requester.email ?? input.requester.name}`,
    `Opened by the handoff rule "${input.rule}".`,
    '',
    input.cut ? '(The thread is longer: its newest messages follow.)' : 'The thread:',
    ...input.messages.map(
      (m) => `[${m.postedAt}] ${m.authorName ?? m.authorId}${m.bot ? ' (bot)' : ''}: ${m.text}`,
    ),
  ];
  return lines.join('\n');
}

export interface OpenTicketDeps {
  db: Db;
  readers: Readonly<Record<string, ThreadReader>>;
  helpdesks: Readonly<Record<string, HelpDesk>>;
  /** Signals the member's journeys that exit on (or wait for) this ticket event. */
  tellJourneys: (memberId: string, kind: 'ticket.created' | 'ticket.solved') => Promise<void>;
}

export interface OpenedTicket {
  ticket: { ticketId: string; number: string; url?: string | undefined };
  rootMessageId?: string | undefined;
  requesterUserId?: string | undefined;
  /** The messages the ticket quotes: later signals about them are not comments. */
  transcriptMessageIds: string[];
}

/**
 * Reads the thread, resolves its requester and opens (or finds, by the workflow id as external
 * id) the thread's one ticket; notes it for the help desk's webhooks and in the member's activity.
 */
export async function openTicket(
  deps: OpenTicketDeps,
  input: {
    thread: HandoffThread & { threadId: string };
    helpdesk: string;
    rule: string;
    requesterUserId?: string | undefined;
    summary?: string | undefined;
    tags: string[];
    transcriptLimit: number;
  },
): Promise<OpenedTicket> {
  const { thread } = input;
  const reader = requireCapability(deps.readers[thread.platform], 'threadReader');
  const desk = requireCapability(deps.helpdesks[input.helpdesk], 'helpdesk');
  const workflowId = activityInfo().workflowExecution?.workflowId;
  if (!workflowId) throw new Error('openTicket needs an activity started by the handoff workflow');
  // One more than the limit tells whether the thread was cut.
  const read = await reader.readThread({ ...thread, limit: input.transcriptLimit + 1 });
  const cut = read.length > input.transcriptLimit;
  const messages = cut ? read.slice(-input.transcriptLimit) : read;
  const root = read[0];
  const asker = input.requesterUserId ?? read.find((m) => !m.bot)?.authorId;
  if (!asker)
    throw new ConnectorError('not_found', 'the thread has no message from a member to ticket');
  const identity = { platform: thread.platform, communityId: thread.communityId, userId: asker };
  const known = await memberByIdentity(deps.db, identity);
  const authorName = read.find((m) => m.authorId === asker)?.authorName;
  const requester = requesterOf(thread.platform, asker, known, authorName);
  const permalink = await reader.permalink(thread);
  const summary = input.summary?.trim() || root?.text || 'a community thread';
  const created = await desk.createTicket({
    externalId: workflowId,
    requester,
    subject: `${oneLine(summary, 80)} (${thread.platform})`,
    body: transcriptBody({ thread, permalink, rule: input.rule, requester, messages, cut }),
    tags: [...input.tags, thread.platform],
  });
  await linkHandoffTicket(deps.db, {
    workflowId,
    platform: thread.platform,
    helpdesk: input.helpdesk,
    ticketId: created.ticketId,
    requesterMemberId: known?.memberId,
  });
  if (known) {
    const recorded = await recordTicketActivity(deps.db, {
      eventId: `${input.helpdesk}:ticket:${created.ticketId}:created`,
      memberId: known.memberId,
      type: 'ticket.created',
      identity,
      channelId: thread.channelId,
      occurredAt: new Date(),
    });
    if (recorded) await deps.tellJourneys(known.memberId, 'ticket.created');
  }
  return {
    ticket: { ticketId: created.ticketId, number: created.number, url: created.url },
    rootMessageId: root?.messageId,
    requesterUserId: asker,
    transcriptMessageIds: read.map((m) => m.messageId),
  };
}
