import { Context } from '@temporalio/activity';
import { signalMember } from '../server/journeys.js';
import { handoffThread, noteHandoffThread, recordTicketActivity } from '../store/handoff.js';
import type { ActivityDeps } from './index.js';
import { activityKey } from './activity-key.js';
import { asActivityFailure, toActivityFailure } from './failures.js';
import type { OpenedTicket } from './handoff-ticket.js';
import { memberByIdentity, openTicket } from './handoff-ticket.js';
import { requireCapability } from './not-configured.js';
import { sendOnce } from './send-once.js';
import { renderText } from './templates.js';
import { HANDOFF_TEXT } from '../workflows/handoff/texts.js';
import type { HandoffThread } from '../workflows/handoff/types.js';
import { handoffWorkflowId } from '../workflows/handoff/types.js';

/** A post's ledger outcome as the workflow needs it: the message id, when one is known. */
const messageIdOf = (outcome: Awaited<ReturnType<typeof sendOnce>>) =>
  outcome.status === 'sent'
    ? outcome.receipt.messageId
    : outcome.status === 'already'
      ? (outcome.messageId ?? '')
      : '';

/**
 * The support handoff's activities: each effect once per activity id (the workflow makes them
 * unique to a comment, a message or a status change), values escaped in the platform's markup.
 */
export function createHandoffActivities(deps: ActivityDeps) {
  /** Journeys that exit on ticket events hear them (the worker's own Temporal client). */
  async function tellJourneys(memberId: string, kind: 'ticket.created' | 'ticket.solved') {
    await signalMember(
      { db: deps.db, temporal: Context.current().client, logger: deps.logger, timeoutMs: 10_000 },
      memberId,
      [kind],
    );
  }

  const helpdesk = (id: string) => requireCapability(deps.helpdesks?.[id], 'helpdesk');
  const poster = (platform: string) =>
    requireCapability(deps.threadPosters?.[platform], 'threadPoster');

  async function post(input: {
    platform: string;
    channelId: string;
    threadId: string;
    text: string;
    values: Record<string, string>;
    link?: string | undefined;
  }): Promise<{ messageId: string }> {
    const port = poster(input.platform);
    const rendered = await renderText(input.text, input.values, 'handoff message', port.escape);
    const text = input.link ? `${rendered} ${input.link}` : rendered;
    const outcome = await sendOnce(deps, activityKey(), `thread:${input.platform}`, {
      findsEarlier: true,
      run: (attempt) =>
        port.replyInThread({
          ...attempt,
          channelId: input.channelId,
          threadId: input.threadId,
          text,
        }),
    });
    return { messageId: messageIdOf(outcome) };
  }

  return {
    /** A message in the handoff's thread (acknowledgement, agent reply, status), once. */
    async postHandoffMessage(input: Parameters<typeof post>[0]): Promise<{ messageId: string }> {
      try {
        return await post(input);
      } catch (error) {
        throw toActivityFailure(error);
      }
    },

    /**
     * A command given outside a thread: the request is posted in the channel, once, and that
     * post is the thread the ticket talks to.
     */
    async postHandoffRequest(input: {
      platform: string;
      communityId: string;
      channelId: string;
      helpdesk: string;
      requesterUserId?: string | undefined;
      summary: string;
    }): Promise<{ messageId: string }> {
      try {
        const channels = requireCapability(deps.channelPosters?.[input.platform], 'channelPoster');
        const who = input.requesterUserId
          ? await memberByIdentity(deps.db, {
              platform: input.platform,
              communityId: input.communityId,
              userId: input.requesterUserId,
            })
          : undefined;
        const text = await renderText(
          HANDOFF_TEXT.request,
          {
            requester: who?.name ?? who?.handle ?? 'a member',
            summary: input.summary.trim() || '(no summary given)',
          },
          'handoff request',
          channels.escape,
        );
        const outcome = await sendOnce(deps, activityKey(), `channel:${input.platform}`, {
          findsEarlier: true,
          // The ledger keeps the thread id the post roots: what a retry after it needs.
          run: async (attempt) => {
            const receipt = await channels.postToChannel({
              ...attempt,
              channelId: input.channelId,
              text,
            });
            return { ...receipt, messageId: receipt.threadId ?? receipt.messageId };
          },
        });
        const messageId = messageIdOf(outcome);
        if (!messageId) throw new Error('the request post may exist but its id is unknown');
        // The post's thread gets its own run next: noted now, so replies find it from the start.
        await noteHandoffThread(deps.db, {
          workflowId: handoffWorkflowId({
            platform: input.platform,
            communityId: input.communityId,
            threadKey: `${input.channelId}/${messageId}`,
          }),
          platform: input.platform,
          helpdesk: input.helpdesk,
        });
        return { messageId };
      } catch (error) {
        throw toActivityFailure(error);
      }
    },

    async openHandoffTicket(input: {
      thread: HandoffThread & { threadId: string };
      helpdesk: string;
      rule: string;
      trigger: string;
      requesterUserId?: string | undefined;
      summary?: string | undefined;
      tags: string[];
      transcriptLimit: number;
    }): Promise<OpenedTicket> {
      return asActivityFailure(() =>
        openTicket(
          {
            db: deps.db,
            readers: deps.threadReaders ?? {},
            helpdesks: deps.helpdesks ?? {},
            tellJourneys,
          },
          input,
        ),
      );
    },

    /**
     * A thread message into the ticket: the requester's as their own public comment, anyone
     * else's as an internal note naming them (agents see it; it never flows back). Help desks
     * cannot find an earlier comment, so one whose outcome is unknown is not sent again.
     */
    async addHandoffComment(input: {
      helpdesk: string;
      ticketId: string;
      text: string;
      name?: string | undefined;
      fromRequester: boolean;
    }): Promise<string> {
      try {
        const desk = helpdesk(input.helpdesk);
        const outcome = await sendOnce(deps, activityKey(), `comment:${input.helpdesk}`, {
          findsEarlier: false,
          run: async () => {
            const { commentId } = await desk.addComment(
              input.fromRequester
                ? { ticketId: input.ticketId, body: input.text, public: true, author: 'requester' }
                : {
                    ticketId: input.ticketId,
                    body: `${input.name ?? 'Someone'} wrote in the thread: ${input.text}`,
                    public: false,
                  },
            );
            return { messageId: commentId };
          },
        });
        return outcome.status;
      } catch (error) {
        throw toActivityFailure(error);
      }
    },

    async reopenHandoffTicket(input: { helpdesk: string; ticketId: string }): Promise<void> {
      return asActivityFailure(() => helpdesk(input.helpdesk).reopenTicket(input.ticketId));
    },

    /** The configured reaction on the thread's first message; a platform without them skips. */
    async reactOnThread(input: {
      platform: string;
      channelId: string;
      messageId: string;
      emoji: string;
    }): Promise<string> {
      const reactor = deps.reactors?.[input.platform];
      if (!reactor) return `skipped: ${input.platform} has no reactions here`;
      await asActivityFailure(() => reactor.addReaction(input));
      return 'reacted';
    },

    /** ticket.solved in the requester's activity, once per solve. */
    async recordHandoffActivity(input: {
      workflowId: string;
      ticketId: string;
      type: 'ticket.solved';
      eventKey: string;
    }): Promise<boolean> {
      const thread = await handoffThread(deps.db, input.workflowId);
      const row = await deps.db
        .selectFrom('handoff_threads')
        .innerJoin('identities', 'identities.member_id', 'handoff_threads.requester_member_id')
        .select([
          'identities.member_id as memberId',
          'identities.platform',
          'identities.community_id as communityId',
          'identities.platform_user_id as userId',
        ])
        .where('handoff_threads.workflow_id', '=', input.workflowId)
        .where('identities.platform', '=', thread?.platform ?? '')
        .executeTakeFirst();
      if (!thread || !row) return false;
      const recorded = await recordTicketActivity(deps.db, {
        eventId: `${thread.helpdesk}:ticket:${input.ticketId}:${input.eventKey}`,
        memberId: row.memberId,
        type: input.type,
        identity: row,
        occurredAt: new Date(),
      });
      if (recorded) await tellJourneys(row.memberId, input.type);
      return recorded;
    },
  };
}
