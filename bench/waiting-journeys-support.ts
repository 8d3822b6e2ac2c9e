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

/** What this issue tried on the hub's memory, measured on one day, 1,000 parked each time. */
export const TRIED =
  'Tried (three full runs on one day, 1,000 parked): the sticky cache at 500, as it was before ' +
  'this issue: 1,511 MiB with 1,000 parked, peak 1,511 MiB, resume 29.3/s. At 250, now the ' +
  'default (temporal.workflowCacheSize): 1,106 MiB with 1,000 parked, peak 1,443 MiB (garbage ' +
  'from evicted runs while parking), resume 21.4/s (more runs replay their history when they ' +
  'wake). At 250 with the heap capped (NODE_OPTIONS=--max-old-space-size=512, which the README ' +
  'suggests for a hub with many parked journeys): 767 MiB with 1,000 parked, peak 780 MiB, ' +
  'resume 22.7/s, within the 1 GiB goal. townhall cannot set the cap itself: the workflows run ' +
  'in a worker thread the Temporal SDK creates without resource limits, and a V8 flag changed ' +
  'after start is undefined behaviour. Not run: 100,000 parked (BENCH_PARKED=100000).';

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
  for (const id of ids.filter((_, i) => i % every === 0).slice(0, size)) {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const started = events.find((event) => event.timerStartedEventAttributes);
    const timer = events.find((event) => event.timerFiredEventAttributes);
    if (started) lastStarted = Math.max(lastStarted, msOf(started.eventTime) - at);
    if (timer) fired.push(msOf(timer.eventTime) - at);
    taskTimeouts += events.filter((event) => event.workflowTaskTimedOutEventAttributes).length;
  }
  const sampled = Math.min(size, Math.ceil(ids.length / every));
  return {
    firedMs: fired.sort((a, b) => a - b),
    lastStartedMs: lastStarted,
    withoutTimer: sampled - fired.length,
    taskTimeouts,
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
export async function waitFor(test: () => Promise<boolean>, deadline: number): Promise<boolean> {
  for (;;) {
    if (await test()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(250, deadline - Date.now()));
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
