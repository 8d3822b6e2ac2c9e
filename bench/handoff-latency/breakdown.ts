// Where each handoff's latency went, from Temporal's own history times (epoch ms, same clock):
// hub answer, run started or signalled, activity scheduled, activity started (the queue wait),
// and the vendor effect seen in the sandbox. Medians per stage, for the findings.
import type { Client } from '@temporalio/client';
import { round } from '../lib/stats.js';
import type { RunTimes } from './parts.js';
import { runTimes, toEpoch } from './parts.js';

/** One arm's timings in this process (performance.now()): sent, the answer, the effect seen. */
export interface Timed {
  sent: number;
  answered: number;
  at: number;
  workflowId: string;
}

export interface Stages {
  /** The request (🎫 webhook, or the agent's action with its webhook) answered. */
  answered: number;
  /** The run started (🎫) or signalled (agent reply). */
  reachedRun: number;
  /** From there to the activity being scheduled (the workflow task). */
  scheduled: number;
  /** Scheduled to started: the wait on the activity's task queue. */
  queued: number;
  /** Started to the effect seen in the sandbox: the activity's own work. */
  inActivity: number;
  /** Attempts of the activity (1 when nothing was retried). */
  attempt: number;
}

export const median = (values: number[]) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : round(sorted[Math.floor((sorted.length - 1) / 2)]!);
};

function stages(
  timed: Timed,
  reachedRun: number,
  activity: RunTimes['activities'][number] | undefined,
): Stages {
  if (!activity?.started) throw new Error(`${timed.workflowId}: no started activity in history`);
  return {
    answered: timed.answered - timed.sent,
    reachedRun: reachedRun - toEpoch(timed.sent),
    scheduled: activity.scheduled - reachedRun,
    queued: activity.started - activity.scheduled,
    inActivity: toEpoch(timed.at) - activity.started,
    attempt: activity.attempt ?? 1,
  };
}

/**
 * The product's two directions from its run's one history: 🎫 → ticket (the run's start, its
 * `open-ticket` activity) and agent reply → post (the `ticket-event` signal, its `reply:`
 * activity); and the acknowledgement's wait on the Slack queue, for comparison.
 */
export async function productStages(client: Client, ticket: Timed, reply: Timed) {
  const run = await runTimes(client, ticket.workflowId);
  const signal = run.signals.find((s) => s.name === 'ticket-event');
  if (!signal) throw new Error(`${ticket.workflowId}: no ticket-event signal in history`);
  const ack = run.activities.find((a) => a.id.startsWith('ack:'));
  return {
    ticket: stages(
      ticket,
      run.started,
      run.activities.find((a) => a.id === 'open-ticket'),
    ),
    reply: stages(
      reply,
      signal.at,
      run.activities.find((a) => a.id.startsWith('reply:')),
    ),
    ackQueued: ack?.started === undefined ? Number.NaN : ack.started - ack.scheduled,
  };
}

/** A floor run: started after the hub's answer, its one activity. */
export async function floorStages(client: Client, timed: Timed): Promise<Stages> {
  const run = await runTimes(client, timed.workflowId);
  return stages(timed, run.started, run.activities[0]);
}

/** Each stage's median over the samples, in ms (attempt: the most any sample needed). */
export function medians(all: Stages[]): Stages {
  return {
    answered: median(all.map((s) => s.answered)),
    reachedRun: median(all.map((s) => s.reachedRun)),
    scheduled: median(all.map((s) => s.scheduled)),
    queued: median(all.map((s) => s.queued)),
    inActivity: median(all.map((s) => s.inActivity)),
    attempt: Math.max(1, ...all.map((s) => s.attempt)),
  };
}
