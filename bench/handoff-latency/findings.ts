// The findings BENCHMARKS.md prints for handoff latency, written from this run's numbers: which
// stage dominates each direction, against the floor's same stage, and what the code says about it.
import type { LatencySummary } from '../lib/stats.js';
import { round } from '../lib/stats.js';
import type { Stages } from './breakdown.js';

export interface FindingsInput {
  breakdown: { ticket: Stages; floorTicket: Stages; reply: Stages; floorPost: Stages };
  ack: LatencySummary;
  /** Scheduled to started of the reply and of the acknowledgement, both on the Slack queue. */
  replyQueued: LatencySummary;
  ackQueued: LatencySummary;
  /** Slack activities (acknowledgements and replies) per second over the run. */
  slackPerSecond: number;
  /** The vendor calls of one sample: 🎫 to ticket, agent reply to post (product arm). */
  calls: { ticket: string[]; reply: string[] };
  thinkMs: number;
}

const ms = (value: number) => `${round(value, 0)} ms`;

/** The run-side stages (everything after the hub hands over), named, largest first. */
function largest(stages: Stages, names: Record<'scheduled' | 'queued' | 'inActivity', string>) {
  return (Object.keys(names) as (keyof typeof names)[])
    .map((key) => ({ name: names[key], value: stages[key] }))
    .sort((a, b) => b.value - a.value)[0]!;
}

/** "GET /api/x ×2, POST /api/y": the calls in order of first use, counted. */
function counted(calls: string[]): string {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call, (counts.get(call) ?? 0) + 1);
  return [...counts].map(([call, n]) => (n > 1 ? `${call} ×${n}` : call)).join(', ');
}

export function findingsFor(input: FindingsInput): string[] {
  const { breakdown, ack, calls, thinkMs, replyQueued, ackQueued, slackPerSecond } = input;
  const { ticket, floorTicket, reply, floorPost } = breakdown;
  const ticketTop = largest(ticket, {
    scheduled: 'the first workflow task (start to `open-ticket` scheduled)',
    queued: 'the wait on the `townhall@zendesk` activity queue',
    inActivity: "the `open-ticket` activity's own calls",
  });
  const replyTop = largest(reply, {
    scheduled: 'the workflow task after the signal',
    queued: 'the wait on the `townhall@slack` activity queue',
    inActivity: "the `reply:` activity's ledger writes and post",
  });
  const retried = Math.max(ticket.attempt, reply.attempt);
  return [
    "Vendor activities run on per-vendor task queues limited by Temporal's " +
      '`maxTaskQueueActivitiesPerSecond` (runtime/routing.ts; `temporal.activitiesPerSecond.<id>`, ' +
      "else the connector's `activitiesPerSecond`: Slack 1/s, Zendesk 3/s), and the server " +
      "divides that rate among the queue's read partitions, each with a burst of 1 (matching's " +
      '`UpdateRatelimit`: rps / numTaskqueueReadPartitions, 4 by default): on the 1/s Slack queue ' +
      "a task could wait for its partition's token up to 4 s although the queue had nothing for " +
      'over a second. Since this issue the dev server townhall starts (runtime/dev-server.ts) and ' +
      "the compose file's Temporal give each queue one partition (README, Deploy). Here the hub " +
      `posts ${slackPerSecond} Slack messages a second (an acknowledgement and a reply per ` +
      `handoff), under the 1/s it is allowed, and the agent answers ${thinkMs} ms after the ` +
      `acknowledgement; the reply waited ${ms(replyQueued.p50Ms)} p50, ` +
      `${ms(replyQueued.p90Ms)} p90, ${ms(replyQueued.p99Ms)} p99 on townhall@slack (the ` +
      `acknowledgement ${ms(ackQueued.p50Ms)} / ${ms(ackQueued.p90Ms)} / ${ms(ackQueued.p99Ms)}), ` +
      `against ${ms(floorPost.queued)} p50 on the floor's unlimited queue.`,
    "Before, with 4 partitions (the server's default; the published run of 2 Dec 09:33, 20 " +
      'handoffs): agent reply to the thread p50 77 ms, p99 2,903 ms against a 79.9 ms floor ' +
      '(36×), and the acknowledgement p99 3,953 ms, nearly all of it the wait on townhall@slack.',
    `🎫 → ticket, stage medians (product / floor): the hub answers the signed reaction in ` +
      `${ms(ticket.answered)} / ${ms(floorTicket.answered)}; the run starts ` +
      `${ms(ticket.reachedRun)} after the send (the hub's signalWithStart, after it stored the ` +
      'event, the member, its activity and the handoff thread; the floor starts its run only ' +
      `after the answer, at ${ms(floorTicket.reachedRun)}); the first workflow task schedules ` +
      `the activity ${ms(ticket.scheduled)} / ${ms(floorTicket.scheduled)} later, it waits ` +
      `${ms(ticket.queued)} / ${ms(floorTicket.queued)} on its queue, and the ticket exists ` +
      `${ms(ticket.inActivity)} / ${ms(floorTicket.inActivity)} after the activity started. ` +
      `Largest after the hub's part: ${ticketTop.name}, ${ms(ticketTop.value)}.`,
    `The product's vendor calls from the 🎫 to the ticket (one sample): ${counted(calls.ticket)}. ` +
      'The floor makes conversations.replies and the create; the others are author names for ' +
      "the transcript (users.info, once per author), the thread's link (chat.getPermalink) and " +
      'the exactly-once lookup by external_id before the create (createTicketOnce in ' +
      'connectors/zendesk/tickets.ts; its second lookup, after the create, is outside the figure).',
    `Agent reply → thread, stage medians (product / floor): the agent's action (the sandbox ` +
      `sends its signed webhook and waits for the hub's answer) is answered in ` +
      `${ms(reply.answered)} / ${ms(floorPost.answered)}, and reaches the run as a signal after ` +
      `${ms(reply.reachedRun)} (the floor's run starts after ${ms(floorPost.reachedRun)}); the ` +
      `reply activity is scheduled ${ms(reply.scheduled)} / ${ms(floorPost.scheduled)} later, ` +
      `waits ${ms(reply.queued)} / ${ms(floorPost.queued)}, and the post exists ` +
      `${ms(reply.inActivity)} / ${ms(floorPost.inActivity)} after it started (the product ` +
      'claims and completes a row of the deliveries ledger around chat.postMessage, ' +
      `activities/send-once.ts). Largest after the hub's part: ${replyTop.name}, ` +
      `${ms(replyTop.value)}. Calls (one sample): ${counted(calls.reply)}.`,
    `The acknowledgement (ticket number) is in the thread ${ms(ack.p50Ms)} after the 🎫 at p50, ` +
      `${ms(ack.p99Ms)} at p99: after the ticket, a workflow task and a post on the same Slack ` +
      'queue, whose wait is most of its tail.',
    'No polling on either path: Slack (Events API) and Zendesk (webhooks) push to the hub, the ' +
      'hub starts or signals the run in the request, and the run acts at its next workflow task. ' +
      'The only polled community source is Reddit (`connectors.reddit.pollEvery`, 5 s in the ' +
      'sandbox example), which would add up to that period for its threads; the `unanswered` ' +
      "rule's `after` is a wait by design.",
    retried > 1
      ? `Some activity needed ${retried} attempts: retry backoff (VENDOR_CALL initialInterval 1 s, ` +
        'workflows/retry-policies.ts) is in the tail.'
      : 'No activity was retried (every attempt was the first): retry backoff (VENDOR_CALL ' +
        'initialInterval 1 s, workflows/retry-policies.ts) plays no part in these figures.',
  ];
}
