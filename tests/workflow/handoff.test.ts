// The handoff workflow with stub activities: what it does with each signal, how long threads
// continue as new without acting twice, and how an unanswered watch ends. The real platforms and
// help desks are in tests/integration/handoff-*.test.ts.
import { randomBytes } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { HandoffInput } from '../../workflows/handoff/types.js';
import {
  handoff,
  handoffStateQuery,
  threadMessageSignal,
  ticketEventSignal,
} from '../../workflows/handoff/workflow.js';
import { waitFor } from '../support/sandbox.js';
import { startTestWorker } from '../support/worker.js';

const taskQueue = `handoff-wf-${randomBytes(4).toString('hex')}`;

/** Every effect the stubs were asked for, by workflow id: `<activity id> <what>`. */
const effects = new Map<string, string[]>();
const note = (what: string) => {
  const info = activityInfo();
  const id = info.workflowExecution!.workflowId;
  effects.set(id, [...(effects.get(id) ?? []), `${info.activityId} ${what}`]);
};
/** Effects counted once per activity id, as the ledger makes them: retries do not repeat one. */
const effectsOf = (workflowId: string) => [...new Set(effects.get(workflowId) ?? [])];

const activities = {
  openHandoffTicket: () => {
    note('open');
    return Promise.resolve({
      ticket: { ticketId: 'T1', number: '1' },
      rootMessageId: 'm0',
      requesterUserId: 'U1',
      transcriptMessageIds: ['m0'],
    });
  },
  postHandoffMessage: ({ text }: { text: string }) => {
    note(text.split(' ')[0]!);
    return Promise.resolve({ messageId: `posted-${activityInfo().activityId}` });
  },
  postHandoffRequest: () => Promise.resolve({ messageId: 'req' }),
  addHandoffComment: ({ fromRequester, text }: { fromRequester: boolean; text: string }) => {
    // As a help desk refuses a comment on a closed ticket.
    if (text === 'refuse me') throw ApplicationFailure.nonRetryable('ticket is closed', 'invalid');
    note(fromRequester ? 'comment' : 'note');
    return Promise.resolve('sent');
  },
  reopenHandoffTicket: () => {
    note('reopen');
    return Promise.resolve();
  },
  reactOnThread: () => {
    note('react');
    return Promise.resolve('reacted');
  },
  recordHandoffActivity: () => Promise.resolve(true),
};

let worker: RunningWorker;
beforeAll(async () => {
  worker = await startTestWorker({ taskQueue, activities });
});
afterAll(async () => {
  await worker?.shutdown();
});

const client = () => createTemporalClient(inject('temporalAddress'), 'default');

const input = (overrides: Partial<HandoffInput> = {}): HandoffInput => ({
  thread: { platform: 'chat', communityId: 'C', channelId: 'ch', threadId: 'm0' },
  helpdesk: 'desk',
  rule: 'reaction',
  trigger: 'reaction',
  settings: {
    tags: [],
    transcriptLimit: 10,
    solvedReaction: 'white_check_mark',
    reopenOnReply: true,
    quietMs: 1_000,
    signalsPerRun: 3,
  },
  routing: {},
  ...overrides,
});

const reply = (n: number) => ({
  type: 'ticket.comment_added' as const,
  eventId: `e-reply-${n}`,
  ticketId: 'T1',
  commentId: `c${n}`,
  public: true,
  role: 'agent' as const,
  text: `answer ${n}`,
});

describe('handoff workflow', () => {
  it('acts once per comment across continue-as-new, ignores notes and its own posts, and ends when solved and quiet', async () => {
    const workflowId = `handoff-wf-${randomBytes(4).toString('hex')}`;
    const handle = await client().workflow.start(handoff, {
      taskQueue,
      workflowId,
      args: [input()],
    });
    await waitFor('the ticket', async () =>
      typeof (await handle.query(handoffStateQuery)) === 'object' ? true : undefined,
    );
    const firstRun = handle.firstExecutionRunId;
    for (let n = 1; n <= 7; n++) {
      await handle.signal(ticketEventSignal, reply(n));
      // Redelivered: the same event again, and the same comment under a new event id.
      await handle.signal(ticketEventSignal, reply(n));
      await handle.signal(ticketEventSignal, { ...reply(n), eventId: `e-again-${n}` });
    }
    await handle.signal(ticketEventSignal, {
      ...reply(8),
      public: false,
      eventId: 'e-note',
      commentId: 'c-note',
    });
    // The acknowledgement echoed back by the platform, and a message the transcript holds.
    const echo = { staff: false, userId: 'BOT', text: 'Thanks!' };
    await handle.signal(threadMessageSignal, {
      ...echo,
      eventId: 'e-echo',
      messageId: 'posted-ack:T1',
    });
    await handle.signal(threadMessageSignal, { ...echo, eventId: 'e-old', messageId: 'm0' });
    await handle.signal(ticketEventSignal, {
      type: 'ticket.status_changed',
      eventId: 'e-solved',
      ticketId: 'T1',
      status: 'resolved',
    });
    await handle.signal(threadMessageSignal, {
      eventId: 'e-member',
      messageId: 'm9',
      userId: 'U1',
      staff: false,
      text: 'still broken',
    });
    await handle.signal(ticketEventSignal, {
      type: 'ticket.status_changed',
      eventId: 'e-solved-2',
      ticketId: 'T1',
      status: 'closed',
    });

    const result = await handle.result();
    expect(result).toEqual({ outcome: 'ended', ticketId: 'T1', status: 'closed' });
    const described = await client().workflow.getHandle(workflowId).describe();
    expect(described.runId).not.toBe(firstRun);

    expect(effectsOf(workflowId)).toEqual([
      'open-ticket open',
      'ack:T1 Thanks!',
      ...[1, 2, 3, 4, 5, 6, 7].map((n) => `reply:c${n} {{`),
      'status:T1:1 Ticket',
      'react:T1 react',
      'comment:m9 comment',
      'reopen:m9 reopen',
      'status:T1:2 Ticket',
      'status:T1:3 Ticket',
    ]);
  });

  it('unanswered: a staff reply before the deadline ends the watch without a ticket', async () => {
    const workflowId = `handoff-wf-${randomBytes(4).toString('hex')}`;
    const handle = await client().workflow.start(handoff, {
      taskQueue,
      workflowId,
      args: [input({ trigger: 'unanswered', watchMs: 60_000 })],
    });
    expect(await handle.query(handoffStateQuery)).toBe('watching');
    await handle.signal(threadMessageSignal, {
      eventId: 'e-staff',
      messageId: 'm1',
      userId: 'S1',
      staff: true,
      text: 'Here is how',
    });
    expect(await handle.result()).toEqual({ outcome: 'answered' });
    expect(effectsOf(workflowId)).toEqual([]);
  });

  it('goes on serving the thread when an update is refused for good', async () => {
    const workflowId = `handoff-wf-${randomBytes(4).toString('hex')}`;
    const handle = await client().workflow.start(handoff, {
      taskQueue,
      workflowId,
      args: [input()],
    });
    const member = { userId: 'U1', staff: false };
    await handle.signal(threadMessageSignal, {
      ...member,
      eventId: 'e-refused',
      messageId: 'm5',
      text: 'refuse me',
    });
    await handle.signal(ticketEventSignal, reply(1));
    await handle.signal(ticketEventSignal, {
      type: 'ticket.status_changed',
      eventId: 'e-closed',
      ticketId: 'T1',
      status: 'closed',
    });
    expect(await handle.result()).toEqual({ outcome: 'ended', ticketId: 'T1', status: 'closed' });
    expect(effectsOf(workflowId)).toEqual([
      'open-ticket open',
      'ack:T1 Thanks!',
      'reply:c1 {{',
      'status:T1:1 Ticket',
      'react:T1 react',
    ]);
  });
});
