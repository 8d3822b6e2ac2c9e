import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import type { HandoffConfig, HandoffRule } from '../config/handoff.js';
import { ruleName } from '../config/handoff.js';
import type { BusinessEvent } from '../connectors/business-events.js';
import type { CommunityEvent } from '../connectors/events.js';
import type { Db } from '../store/db.js';
import { handoffForTicket, handoffThread, noteHandoffThread } from '../store/handoff.js';
import type { Routing } from '../workflows/steps/context.js';
import type { HandoffInput, HandoffThread } from '../workflows/handoff/types.js';
import { handoffWorkflowId } from '../workflows/handoff/types.js';
import {
  handoff,
  threadMessageSignal,
  ticketEventSignal,
  triggerSignal,
} from '../workflows/handoff/workflow.js';
import { ruleMatches } from './handoff-rules.js';

export interface HandoffRouterDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  handoff?: HandoffConfig | undefined;
  routing: Routing;
  logger: Logger;
  timeoutMs: number;
}

/** What the handoff did with an event; `answer` is what a command's invoker is told. */
export interface HandoffOutcome {
  acted: 'started' | 'signalled' | 'none';
  answer?: string | undefined;
}

/** The thread an event is about: a reply's thread, else the message itself (it starts one). */
function threadOf(event: CommunityEvent): (HandoffThread & { key: string }) | undefined {
  const base = { platform: event.platform, communityId: event.member.communityId };
  if (event.type === 'message.posted' || event.type === 'reaction.added') {
    const threadId = event.threadId ?? event.messageId;
    return { ...base, channelId: event.channelId, threadId, key: `${event.channelId}/${threadId}` };
  }
  if (event.type === 'command.invoked')
    return event.threadId
      ? {
          ...base,
          channelId: event.channelId,
          threadId: event.threadId,
          key: `${event.channelId}/${event.threadId}`,
        }
      : // Outside a thread: the run posts the request, and that post becomes the thread.
        { ...base, channelId: event.channelId, key: `request/${event.eventId}` };
  return undefined;
}

/**
 * The handoff's part of routing: a community event that a rule matches starts (or joins) its
 * thread's one run; any message in a thread that has a run reaches it as a signal; a help-desk
 * event about a ticket townhall opened reaches that ticket's run. Safe to repeat: the run is one
 * per thread, and it acts once per message, comment and status change whatever arrives twice.
 */
export function createHandoffRouter(deps: HandoffRouterDeps) {
  const withDeadline = <T>(work: () => Promise<T>) =>
    deps.temporal.connection.withDeadline(Date.now() + deps.timeoutMs, work);
  const config = deps.handoff;
  const rules = config?.enabled ? config.rules.filter((rule) => rule.enabled) : [];

  function inputFor(rule: HandoffRule, event: CommunityEvent, thread: HandoffThread): HandoffInput {
    return {
      thread: {
        platform: thread.platform,
        communityId: thread.communityId,
        channelId: thread.channelId,
        threadId: thread.threadId,
      },
      helpdesk: rule.helpdesk,
      rule: ruleName(rule),
      trigger: rule.on,
      ...(event.type === 'command.invoked'
        ? { requesterUserId: event.member.userId, summary: event.text }
        : {}),
      ...(rule.on === 'unanswered' ? { watchMs: rule.after } : {}),
      settings: {
        tags: config!.tags,
        transcriptLimit: config!.transcript_limit,
        solvedReaction: config!.solved_reaction,
        reopenOnReply: config!.reopen_on_reply,
        quietMs: config!.quiet_after,
      },
      routing: deps.routing,
    };
  }

  async function startOrJoin(
    rule: HandoffRule,
    event: CommunityEvent,
    thread: HandoffThread,
    workflowId: string,
  ): Promise<void> {
    // Noted first, so a reply that arrives while the start is on its way finds the run.
    await noteHandoffThread(deps.db, {
      workflowId,
      platform: event.platform,
      helpdesk: rule.helpdesk,
    });
    try {
      await withDeadline(() =>
        deps.temporal.workflow.signalWithStart(handoff, {
          taskQueue: deps.taskQueue,
          workflowId,
          args: [inputFor(rule, event, thread)],
          // A new thread being watched is not asked for a ticket yet.
          signal: triggerSignal,
          signalArgs: [
            { eventId: event.eventId, rule: rule.on === 'unanswered' ? '' : ruleName(rule) },
          ],
          // A command's request run ends once its post's thread has a run of its own: the same
          // command routed again (a retried delivery) must not post the request a second time.
          ...(thread.threadId === undefined
            ? { workflowIdReusePolicy: 'REJECT_DUPLICATE' as const }
            : {}),
        }),
      );
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }

  async function signal(workflowId: string, send: () => Promise<void>): Promise<boolean> {
    try {
      await withDeadline(send);
      return true;
    } catch (error) {
      // The run has ended (its ticket done, the thread quiet): nothing is listening.
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  async function routeCommunity(
    event: CommunityEvent,
    member: { staff: boolean },
  ): Promise<HandoffOutcome> {
    const thread = threadOf(event);
    // Without a handoff section no thread has a run: nothing to look up. (Rules switched off
    // still let the runs they started hear their threads.)
    if (!thread || !config) return { acted: 'none' };
    const workflowId = handoffWorkflowId({ ...thread, threadKey: thread.key });
    const existing =
      event.type === 'message.posted' ? await handoffThread(deps.db, workflowId) : undefined;
    let acted: HandoffOutcome['acted'] = 'none';
    if (existing && event.type === 'message.posted') {
      const handle = deps.temporal.workflow.getHandle(workflowId);
      const signalled = await signal(workflowId, () =>
        handle.signal(threadMessageSignal, {
          eventId: event.eventId,
          messageId: event.messageId,
          userId: event.member.userId,
          name: event.member.name ?? event.member.handle,
          staff: member.staff,
          text: event.text,
        }),
      );
      if (signalled) acted = 'signalled';
    }
    // The first matching rule names the help desk; a thread that has a run keeps its own.
    const rule = rules.find((candidate) => ruleMatches(candidate, event, member.staff));
    if (!rule) return { acted };
    // A watched thread is not watched twice; a reply in it is a signal above.
    if (rule.on === 'unanswered' && existing) return { acted };
    await startOrJoin(rule, event, thread, workflowId);
    deps.logger.info(
      { eventId: event.eventId, rule: ruleName(rule), workflowId },
      'handoff triggered',
    );
    const answer =
      event.type === 'command.invoked'
        ? thread.threadId
          ? 'townhall is opening a support ticket for this thread (one per thread, however often it is asked). Its number will be posted in the thread, and support replies will appear there.'
          : 'townhall is posting your request in this channel and opening a support ticket for it. Its number will be posted under the request, and support replies will appear there.'
        : undefined;
    return { acted: 'started', answer };
  }

  async function routeBusiness(event: BusinessEvent): Promise<'signalled' | 'ignored'> {
    if (event.type !== 'ticket.comment_added' && event.type !== 'ticket.status_changed')
      return 'ignored';
    const run = await handoffForTicket(deps.db, event.system, event.ticketId);
    if (!run) return 'ignored';
    const handle = deps.temporal.workflow.getHandle(run.workflowId);
    const signalled = await signal(run.workflowId, () =>
      handle.signal(
        ticketEventSignal,
        event.type === 'ticket.status_changed'
          ? {
              type: event.type,
              eventId: event.eventId,
              ticketId: event.ticketId,
              status: event.status,
            }
          : {
              type: event.type,
              eventId: event.eventId,
              ticketId: event.ticketId,
              commentId: event.commentId,
              public: event.public,
              role: event.author.role,
              authorName: event.author.name,
              text: event.text,
            },
      ),
    );
    return signalled ? 'signalled' : 'ignored';
  }

  // hearsThreads: with a handoff section, a community message may belong to a run's thread.
  return {
    routeCommunity,
    routeBusiness,
    active: rules.length > 0,
    hearsThreads: config !== undefined,
  };
}

export type HandoffRouter = ReturnType<typeof createHandoffRouter>;
