// The waiting-journeys benchmark's helpers: one signed member.joined through the hub and the start
// input the router built for it (read back from history), paced starts, visibility counts, and
// the hub's RSS sampled by phase, the heap limit a hub gets, and what was tried on its memory.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { JourneyInput } from '../workflows/journey/types.js';
import { benchClient } from './lib/hub.js';
import { post } from './lib/load.js';
import { startedWith } from './lib/start-input.js';
import { slackJoin } from './lib/webhooks.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What this issue tried on the hub's memory, measured on the days given. */
export const TRIED =
  'What each cached run cost (2 Dec): the worker evaluates the workflow bundle once per run it ' +
  'holds (the SDK keeps module state apart per run in its reused V8 context), and the bundle ' +
  "held zod and every journey step's schema, which only config loading needs: 743 KiB and " +
  '10.8 ms a run (an emulation of that per-run module cache, 200 runs), now 52 KiB and 0.4 ms ' +
  '(steps build their schemas from a kit config loading hands them, workflows/steps/step.ts). ' +
  'Same machine, 1,000 parked, before/after: peak 1,518 to 555 MiB, 960 to 260 MiB per 1,000 ' +
  'cached runs, parking 12.6 to 15.3/s, resume 23.1 to 27.5/s. With the cache at 1,000 ' +
  '(BENCH_WORKFLOW_CACHE): peak 719 MiB, resume 36.6/s. 10,000 parked (BENCH_PARKED=10000, ' +
  "the issue's size, 29 min): peak 645 MiB, 536 MiB with all parked, parked at 10.3/s, resumed " +
  'at 20.9/s. Earlier, before that fix: the cache at 500, 1,511 MiB peak; at 250, 1,443 ' +
  'MiB; at 250 with NODE_OPTIONS=--max-old-space-size=512, 780 MiB. 100,000 started as fast ' +
  'as the dev server took them (64 in flight, its SQLite in memory, 3 Dec): it accepted about ' +
  '60 starts/s but ran about 1.5 first tasks/s (2,679 of 97,333 started had parked after 31 ' +
  'min), and its RSS went from 3.5 GiB at 72,000 started to 21.9 GiB at 97,000, when the run ' +
  'was stopped to keep the machine; the hub meanwhile held 320 to 365 MiB. The documented ' +
  'large run (3 Dec 15:49 to 17:02 UTC, AMD EPYC; BENCH_PARKED=100000 BENCH_PARK_AHEAD=2000 ' +
  'BENCH_TEMPORAL_DB_FILE BENCH_OPENS_AFTER_S=4000 BENCH_RESUME_WATCH_S=400): all 100,000 had ' +
  'run their first task 3,989 s after the first start (25.1/s); hub RSS 268 MiB idle, 505 MiB ' +
  'with 100,000 parked, 643 MiB at its peak (while parking; 1 GiB is the goal), with V8 ' +
  'collecting evicted runs every few thousand parked (falls of about 100 MiB from 590 to 640 ' +
  'MiB); the dev server (its SQLite in a file) held 540 to 605 MiB while parking and up to ' +
  '1,030 MiB once the timers fired. The resume was slow: ' +
  '2,537 ended in the 400 s watched (6.3/s, against 60.9/s at 1,000 parked), and a sample of ' +
  '30 histories read after it found 10 without a timer: their first task had set TownhallStep, ' +
  'their second (after the time-zone activity) had not run, so the count of parked runs ran ' +
  'ahead of the timers and the timers fired into a server still working through that backlog; ' +
  '17 sticky-queue schedule-to-start timeouts in the sample each sent a run back to be replayed ' +
  'from its history.';

/** The V8 heap limit a Node process started with these options gets on this machine. */
export function heapLimitMiB(nodeOptions: string | undefined): number {
  const env = { ...process.env, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) };
  const script = 'process.stdout.write(String(v8.getHeapStatistics().heap_size_limit))';
  return Math.round(Number(execFileSync(process.execPath, ['-e', script], { env })) / 2 ** 20);
}

/** A Slack team_join, signed as Slack signs it, posted to the hub. */
export async function postTeamJoin(hubUrl: string): Promise<void> {
  const answer = await post(hubUrl, slackJoin(randomBytes(3).toString('hex'), 0));
  if (answer.status !== 200) throw new Error(`team_join answered ${answer.status}`);
}

/**
 * The journey run the webhook started (held by its send window): its id, its start input and
 * memo, decrypted, and a client with the hub's codec for starting more like it.
 */
export async function inputFromWebhook(address: string, namespace: string, taskQueue: string) {
  const client = benchClient(address, namespace);
  const query = `WorkflowType = 'journey' AND TaskQueue = '${taskQueue}'`;
  const deadline = Date.now() + 30_000;
  let workflowId: string | undefined;
  while (!workflowId) {
    for await (const run of client.workflow.list({ query })) workflowId = run.workflowId;
    if (!workflowId && Date.now() > deadline) throw new Error('the team_join started no journey');
    if (!workflowId) await sleep(200);
  }
  const started = await startedWith(client, workflowId);
  const input = started.input[0] as JourneyInput | undefined;
  if (!input) throw new Error(`${workflowId} has no start input`);
  return { client, workflowId, input, memo: started.memo };
}

export async function count(client: Client, query: string): Promise<number> {
  return (await client.workflow.count(query)).count;
}

/** How many of the runs `query` finds are in each status but Completed. */
export async function statuses(client: Client, query: string): Promise<Record<string, number>> {
  const kinds = ['Running', 'Failed', 'Terminated', 'TimedOut', 'Canceled'];
  const counts = await Promise.all(
    kinds.map((kind) => count(client, `${query} AND ExecutionStatus = '${kind}'`)),
  );
  return Object.fromEntries(kinds.map((kind, i) => [kind, counts[i]!]));
}

/** `total` calls of `work(i)`, `concurrency` in flight; rejects on the first failure. */
export async function paced(
  total: number,
  concurrency: number,
  work: (i: number) => Promise<unknown>,
) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) await work(next++);
    }),
  );
  return { elapsedMs: performance.now() - started };
}

const msOf = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  time ? Number(String(time.seconds)) * 1000 + (time.nanos ?? 0) / 1e6 : Number.NaN;

/** temporal.api.enums.v1.TimeoutType, as the history's numbers. */
const TIMEOUT_TYPES: Record<number, string> = {
  1: 'start-to-close',
  2: 'schedule-to-start (sticky queue)',
};

/**
 * A sample of the runs' histories, times in ms after `at`: when their timer started (the last
 * one to) and fired (sorted), how many had none (parked too late to wait), and how many of
 * their workflow tasks timed out (a worker too busy to finish one in 10 s).
 */
export async function timerSample(client: Client, ids: readonly string[], at: number, size = 30) {
  const every = Math.max(1, Math.floor(ids.length / size));
  const fired: number[] = [];
  let lastStarted = Number.NEGATIVE_INFINITY;
  let taskTimeouts = 0;
  /** By Temporal's timeout type: SCHEDULE_TO_START is a sticky queue nobody took in time. */
  const timeoutTypes: Record<string, number> = {};
  for (const id of ids.filter((_, i) => i % every === 0).slice(0, size)) {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const started = events.find((event) => event.timerStartedEventAttributes);
    const timer = events.find((event) => event.timerFiredEventAttributes);
    if (started) lastStarted = Math.max(lastStarted, msOf(started.eventTime) - at);
    if (timer) fired.push(msOf(timer.eventTime) - at);
    for (const event of events) {
      const timedOut = event.workflowTaskTimedOutEventAttributes;
      if (!timedOut) continue;
      taskTimeouts += 1;
      const type = TIMEOUT_TYPES[Number(timedOut.timeoutType)] ?? String(timedOut.timeoutType);
      timeoutTypes[type] = (timeoutTypes[type] ?? 0) + 1;
    }
  }
  const sampled = Math.min(size, Math.ceil(ids.length / every));
  return {
    firedMs: fired.sort((a, b) => a - b),
    lastStartedMs: lastStarted,
    withoutTimer: sampled - fired.length,
    taskTimeouts,
    timeoutTypes,
  };
}

/** The least-squares slope of y on x; 0 with fewer than two distinct x. */
export function slope(points: readonly [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : 0;
}

/** Polls `test` every 250 ms until it holds (true) or `deadline` (epoch ms) passes (false). */
export async function waitFor(
  test: () => Promise<boolean>,
  deadline: number,
  everyMs = 250,
): Promise<boolean> {
  for (;;) {
    if (await test()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(everyMs, deadline - Date.now()));
  }
}

/** `read()` every 250 ms, the peak kept per phase (the phase names say what was going on). */
export function sampler(read: () => number) {
  const peaks = new Map<string, number>();
  let phase = 'start';
  const sample = () => {
    const value = read();
    peaks.set(phase, Math.max(peaks.get(phase) ?? 0, value));
    return value;
  };
  const timer = setInterval(sample, 250);
  return {
    phase(name: string) {
      phase = name;
      sample();
    },
    now: sample,
    peak: (name: string) => peaks.get(name) ?? Number.NaN,
    summary: () => Object.fromEntries(peaks),
    stop: () => clearInterval(timer),
  };
}

/** A benchmark that stopped midway leaves no runs behind for its namespace's deletion. */
export async function terminateLeftovers(client: Client, taskQueue: string): Promise<void> {
  await client.workflowService.startBatchOperation({
    namespace: client.options.namespace,
    jobId: randomUUID(),
    reason: 'waiting-journeys benchmark stopped',
    visibilityQuery: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
    terminationOperation: {},
  });
}
