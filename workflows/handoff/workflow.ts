import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ActivityFailure,
  ParentClosePolicy,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { TicketStatus } from '../../connectors/business-events.js';
import { STORE_CALL, VENDOR_CALL } from '../retry-policies.js';
import type { Activities } from '../steps/context.js';
import { HANDOFF_TEXT } from './texts.js';
import type {
  CarriedMessage,
  HandoffInput,
  HandoffResult,
  HandoffState,
  ThreadMessageSignal,
  TicketEventSignal,
  TriggerSignal,
} from './types.js';
import { handoffWorkflowId } from './types.js';

export const triggerSignal = defineSignal<[TriggerSignal]>('handoff-trigger');
export const threadMessageSignal = defineSignal<[ThreadMessageSignal]>('thread-message');
export const ticketEventSignal = defineSignal<[TicketEventSignal]>('ticket-event');
/** Where the run is: watching, or the ticket and its status. */
export const handoffStateQuery = defineQuery<HandoffState | 'watching' | 'opening'>('handoff');

const SIGNALS_PER_RUN = 500;
/** Deterministic: workflow time, and no command, so old histories replay unchanged. */
const carried = (name: string | undefined, text: string): CarriedMessage => ({
  ...(name ? { name } : {}),
  text: text.length > 280 ? `${text.slice(0, 279)}…` : text,
  at: Date.now(),
});
const done = (status: TicketStatus) => status === 'resolved' || status === 'closed';

type Queued =
  { kind: 'message'; signal: ThreadMessageSignal } | { kind: 'ticket'; signal: TicketEventSignal };

/**
 * One community thread's handoff to a help desk, for the life of the thread: (for `unanswered`)
 * wait for staff to reply, else open one ticket with the thread's transcript, acknowledge it in
 * the thread, then carry the agent's public replies and status changes into the thread and the
 * member's replies into the ticket, until the ticket is done and the thread quiet. Every effect's
 * activity id is unique to what it is about (a comment id, a message id, the n-th status post),
 * so redelivered signals and retries act once.
 */
export async function handoff(input: HandoffInput): Promise<HandoffResult> {
  const vendorQueue = (id: string) => input.routing.queues?.[id];
  const call = (activityId: string, connector?: string) => {
    const taskQueue = connector ? vendorQueue(connector) : undefined;
    return proxyActivities<Activities>({
      ...VENDOR_CALL,
      activityId,
      ...(taskQueue ? { taskQueue } : {}),
    });
  };
  const store = proxyActivities<Activities>(STORE_CALL);
  const { platform, channelId } = input.thread;

  const queue: Queued[] = [];
  const seen = new Set<string>();
  /** Messages the ticket quotes already, and the run's own posts: neither is a new comment. */
  const quoted = new Set<string>();
  let triggered = input.trigger !== 'unanswered' || input.state !== undefined;
  let staffReplied = false;
  let state: HandoffState | undefined = input.state;
  setHandler(handoffStateQuery, () => state ?? (triggered ? 'opening' : 'watching'));
  // A new thread being watched arrives with no rule: it is not asked for a ticket yet.
  setHandler(triggerSignal, ({ rule }) => {
    if (rule) triggered = true;
  });
  setHandler(threadMessageSignal, (signal) => {
    if (seen.has(signal.eventId)) return;
    seen.add(signal.eventId);
    if (signal.staff) staffReplied = true;
    queue.push({ kind: 'message', signal });
  });
  setHandler(ticketEventSignal, (signal) => {
    if (seen.has(signal.eventId)) return;
    seen.add(signal.eventId);
    queue.push({ kind: 'ticket', signal });
  });

  if (!state) {
    if (!triggered) {
      await condition(() => triggered || staffReplied, input.watchMs ?? 0);
      if (staffReplied && !triggered) {
        log.info('handoff: staff answered in time', { rule: input.rule });
        return { outcome: 'answered' };
      }
    }
    const threadId = input.thread.threadId;
    if (threadId === undefined) {
      const posted = await call('request-post', platform).postHandoffRequest({
        platform,
        communityId: input.thread.communityId,
        channelId,
        helpdesk: input.helpdesk,
        requesterUserId: input.requesterUserId,
        summary: input.summary ?? '',
      });
      // The request post is the thread now, and its run is the one its replies, reactions and
      // commands name: that run opens the ticket, this one ends.
      const workflowId = handoffWorkflowId({
        platform,
        communityId: input.thread.communityId,
        threadKey: `${channelId}/${posted.messageId}`,
      });
      try {
        await startChild(handoff, {
          workflowId,
          args: [{ ...input, thread: { ...input.thread, threadId: posted.messageId } }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      } catch (error) {
        // Someone asked in the new thread first (🎫 on the request): its run serves it.
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      return { outcome: 'moved', workflowId };
    }
    const opened = await call('open-ticket', input.helpdesk).openHandoffTicket({
      thread: { ...input.thread, threadId },
      helpdesk: input.helpdesk,
      rule: input.rule,
      trigger: input.trigger,
      requesterUserId: input.requesterUserId,
      summary: input.summary,
      tags: input.settings.tags,
      transcriptLimit: input.settings.transcriptLimit,
    });
    state = {
      threadId,
      ticket: opened.ticket,
      rootMessageId: opened.rootMessageId,
      requesterUserId: opened.requesterUserId,
      status: 'open',
      statusPosts: 0,
    };
    for (const id of opened.transcriptMessageIds) quoted.add(id);
    const ack = await call(`ack:${opened.ticket.ticketId}`, platform).postHandoffMessage({
      platform,
      channelId,
      threadId,
      text: HANDOFF_TEXT.acknowledged,
      values: { number: opened.ticket.number },
      link: opened.ticket.url,
    });
    quoted.add(ack.messageId);
  }
  const open = state;
  const thread = { platform, channelId, threadId: open.threadId };

  async function postStatus(text: string) {
    open.statusPosts += 1;
    const posted = await call(
      `status:${open.ticket.ticketId}:${open.statusPosts}`,
      platform,
    ).postHandoffMessage({ ...thread, text, values: { number: open.ticket.number } });
    quoted.add(posted.messageId);
  }

  async function onStatus(status: TicketStatus) {
    const was = open.status;
    open.status = status;
    if (done(status) && !done(was)) {
      await postStatus(HANDOFF_TEXT.solved);
      if (input.settings.solvedReaction && open.rootMessageId)
        await call(`react:${open.ticket.ticketId}`, platform).reactOnThread({
          platform,
          channelId,
          messageId: open.rootMessageId,
          emoji: input.settings.solvedReaction,
        });
      await store.recordHandoffActivity({
        workflowId: workflowInfo().workflowId,
        ticketId: open.ticket.ticketId,
        type: 'ticket.solved',
        eventKey: `solved:${open.statusPosts}`,
      });
    } else if (!done(status) && done(was)) await postStatus(HANDOFF_TEXT.reopened);
  }

  async function handle(item: Queued) {
    if (item.kind === 'ticket') {
      const event = item.signal;
      if (event.ticketId !== open.ticket.ticketId) return;
      if (event.type === 'ticket.status_changed') return onStatus(event.status);
      // Internal notes stay in the help desk; the requester's comments are the thread's own.
      if (!event.public || event.role !== 'agent') return;
      const reply = await call(`reply:${event.commentId}`, platform).postHandoffMessage({
        ...thread,
        text: HANDOFF_TEXT.agentReply,
        values: { agent: event.authorName ?? 'Support', text: event.text },
      });
      quoted.add(reply.messageId);
      open.lastToThread = carried(event.authorName, event.text);
      return;
    }
    const message = item.signal;
    if (message.staff || quoted.has(message.messageId)) return;
    await call(`comment:${message.messageId}`, input.helpdesk).addHandoffComment({
      helpdesk: input.helpdesk,
      ticketId: open.ticket.ticketId,
      text: message.text,
      name: message.name,
      fromRequester: message.userId === open.requesterUserId,
    });
    open.lastToDesk = carried(message.name, message.text);
    if (done(open.status) && input.settings.reopenOnReply) {
      await call(`reopen:${message.messageId}`, input.helpdesk).reopenHandoffTicket({
        helpdesk: input.helpdesk,
        ticketId: open.ticket.ticketId,
      });
      await onStatus('open');
    }
  }

  const limit = input.settings.signalsPerRun ?? SIGNALS_PER_RUN;
  let handled = 0;
  for (;;) {
    // Open tickets wait as long as they take; a done one ends the run once the thread is quiet.
    if (done(open.status)) {
      if (!(await condition(() => queue.length > 0, input.settings.quietMs))) break;
    } else await condition(() => queue.length > 0);
    while (queue.length > 0) {
      const item = queue.shift()!;
      try {
        await handle(item);
      } catch (error) {
        // Refused for good (a closed ticket takes no comment, an archived channel no post): the
        // run goes on serving the thread; the failure is in its history and the log.
        if (!(error instanceof ActivityFailure)) throw error;
        log.warn('handoff: an update was refused for good', { kind: item.kind, error });
      }
      handled += 1;
    }
    // Only with nothing queued: the next run starts from the state, not from signals.
    if (queue.length === 0 && (handled >= limit || workflowInfo().continueAsNewSuggested))
      await continueAsNew<typeof handoff>({ ...input, state: open });
  }
  log.info('handoff ended', { ticketId: open.ticket.ticketId, status: open.status });
  return { outcome: 'ended', ticketId: open.ticket.ticketId, status: open.status };
}
