// What ingest-starts says beside its figures: who spent the shared cores per start, the hub's
// share by thread, what this issue tried on the path, and townhall beside n8n.
import type { CpuSpent } from './lib/cpu.js';
import { cpuTotal } from './lib/cpu.js';
import type { TimedRound } from './lib/journey-starts.js';
import { ratio, round, round1 } from './lib/stats.js';

export interface Arm {
  name: 'webhook' | 'raw';
  runs: TimedRound[];
  /** CPU by process over each of the arm's rounds. */
  cpu: CpuSpent[];
  /** The hub's CPU by thread kind over each of the arm's rounds. */
  hubThreads: Map<string, number>[];
}

export type Arms = Record<'webhook' | 'raw', Arm>;

const PLACES = ['temporal', 'hub', 'postgres', 'bench'] as const;
const PLACE_NAMES: Record<(typeof PLACES)[number], string> = {
  temporal: 'the Temporal dev server',
  hub: 'the hub (HTTP, store client, worker)',
  postgres: 'PostgreSQL',
  bench: 'the load generator',
};

/** Starts an arm made over its rounds. */
const startsOf = (arm: Arm) => arm.runs.reduce((sum, run) => sum + run.answers.length, 0);

/**
 * CPU ms per start by place over an arm's rounds. `other` (busy time no named process
 * accounts for: other processes, and time the host took from this VM) stays out of `total`.
 */
export function perStart(arm: Arm) {
  const spent = cpuTotal(arm.cpu);
  const starts = startsOf(arm);
  const named = PLACES.reduce((sum, place) => sum + spent[place], 0);
  return {
    ...Object.fromEntries(PLACES.map((place) => [place, round1(spent[place] / starts)])),
    other: round1(spent.other / starts),
    total: round1(named / starts),
    busyShare: round((named + spent.other) / (named + spent.other + spent.idle), 2),
  } as Record<(typeof PLACES)[number] | 'other' | 'total' | 'busyShare', number>;
}

/** Who spent the shared cores per start in each arm: the difference is the hub's path. */
export function cpuFinding(arms: Arms): string {
  const webhook = perStart(arms.webhook);
  const raw = perStart(arms.raw);
  const parts = PLACES.map(
    (place) => `${PLACE_NAMES[place]} ${webhook[place]} / ${raw[place]}`,
  ).join(', ');
  return (
    `CPU per start, webhook arm / raw arm (ms, all threads, from /proc): ${parts}; in all ` +
    `${webhook.total} / ${raw.total} ms (${round(raw.total / webhook.total, 2)} the one of the ` +
    `other). Beside them, busy time no process here accounts for (other processes, and time ` +
    `the host took from this VM): ${webhook.other} / ${raw.other} ms per start. The 2 cores ` +
    `were ${Math.round(webhook.busyShare * 100)}% / ${Math.round(raw.busyShare * 100)}% busy.`
  );
}

/** Threads that ended between two readings take their CPU with them: the process keeps it. */
const ENDED = 'threads that ended';

/**
 * The hub's CPU ms per start by thread kind over an arm's rounds, largest first, with the
 * process's time that no live thread accounts for (the per-call watchdog threads, say).
 */
export function hubThreadsPerStart(arm: Arm): [string, number][] {
  const starts = startsOf(arm);
  const total = new Map<string, number>();
  for (const span of arm.hubThreads)
    for (const [kind, ms] of span) total.set(kind, (total.get(kind) ?? 0) + ms);
  const threads = [...total.values()].reduce((sum, ms) => sum + ms, 0);
  total.set(ENDED, cpuTotal(arm.cpu).hub - threads);
  return [...total]
    .map(([kind, ms]): [string, number] => [kind, round(ms / starts, 2)])
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1]);
}

/**
 * The hub's share split by thread: a --cpu-prof profile sees only the main thread, while
 * Temporal's core (tokio), V8's helpers and libuv's pool spend on threads of their own.
 */
export function hubThreadFinding(arms: Arms): string {
  const raw = new Map(hubThreadsPerStart(arms.raw));
  const parts = hubThreadsPerStart(arms.webhook).map(
    ([kind, ms]) => `${kind} ${ms} / ${raw.get(kind) ?? 0}`,
  );
  return (
    `The hub's CPU per start by thread, webhook arm / raw arm (ms, /proc/<pid>/task): ` +
    `${parts.join(', ')}. "main thread" is the event loop (HTTP, signature, store client, the ` +
    'Temporal client, and the worker\'s own side of each task); "node" is the threads Node ' +
    "names alike: the worker's workflow thread, which runs the runs' activations in a reused V8 " +
    "context, and V8's helpers (garbage collection, compiling); tokio-runtime-w and " +
    "workflow-proces are Temporal's core (Rust: polling, and its workflow-processing thread); " +
    `"${ENDED}" is the process's CPU that no live thread holds at the end of a round.`
  );
}

/** What this issue tried on the path, and what the measurements around it showed. */
export const TRIED =
  'What was tried: the community router makes the event, its member and its activity one ' +
  'transaction (one commit instead of four for an event nothing else acts on, two where a ' +
  'workflow starts), the event insert and the duplicate check one statement, and a known ' +
  'member one UPDATE without the advisory-lock transaction. Since 3 Dec a join that starts a ' +
  'journey takes 13 statements, not 16: a new identity and its roll-ups are one INSERT, a ' +
  'new level and its history row one, and the journeys do not ask the store for runs that ' +
  'hear the event of a member it has just made. Alternated runs before and after (three ' +
  'each, one machine, same hour): CPU per webhook start 25.6 to 24.1 ms (PostgreSQL 4.1 to ' +
  '3.6, the hub 10.0 to 9.4), webhook rate 75.5 to 80.2/s; the ratio did not move outside ' +
  "the raw arm's own spread (0.57 before, 0.55 after). Timed that way, a start through the " +
  'hub cost about twice the CPU of a raw start (the HTTP request and its signature, 13 ' +
  'statements and 3 commits, the start itself and its payload encryption), and the profile ' +
  "of the hub's main thread then put a third of its busy time in the store client, over half " +
  'of that in the socket write each statement makes. Since 3 Dec ' +
  'an event from a known identity is one statement (ingest-activity); a join brings a new ' +
  'identity, whose member is made under an advisory lock in a transaction, so this path ' +
  'keeps its 13. Since 3 Dec a statement that runs again is prepared once per connection ' +
  '(store/prepared-pool.ts), not parsed and planned on every run. Three alternated runs ' +
  "each, same hour: PostgreSQL's CPU per webhook start 3.7, 3.4, 3.6 to 1.8, 2.5, 1.9 ms; the " +
  "ratio 0.58, 0.63, 0.57 to 0.67, 0.62, 0.54, within the raw arm's own spread: PostgreSQL " +
  'was about a seventh of the CPU a start costs, the dev server and the hub most of the rest. ' +
  'Not tried: group commit across events. The rates and CPU in this paragraph are timed to ' +
  'the last answer, as the benchmark did until 3 Dec (the paragraph above says why it no ' +
  'longer does).';

/** Why rounds are timed through their runs' first tasks, and what that showed (3 Dec). */
export const FIRST_TASKS =
  "Until 3 Dec a round was timed to its last answer. Neither arm's runs had run their first " +
  'workflow task by then: timed through them, the last ran 3 to 14 s after the last of 300 ' +
  'answers in either arm. That work then ran during the next round and was charged to it, ' +
  'in CPU and in rate, and both arms answered faster than the server and the worker can run ' +
  'what they start: a flood at either answer rate grows a backlog of first tasks without ' +
  'end. Timed through first tasks, the runs of both arms cost the dev server the same CPU ' +
  '(20.5 against 20.5 ms a start in one run, 29.1 against 29.4 in another, where answer ' +
  'timing had said 11.1 against 8.5). Eight unprofiled runs on 3 Dec (Intel Xeon, 2 cores) ' +
  'gave 0.75 to 0.94 through first tasks (mean 0.87) and 0.53 to 0.71 for the answers ' +
  '(0.52 to 0.67 before the change, on the AMD EPYC machine of that morning). Through first ' +
  'tasks both arms wait on the same worker and the same server for most of their CPU, so ' +
  "that ratio is nearer 1 than the hub's path alone would make it: 0.9 is inside this " +
  "machine's spread, met in some runs and not in others, and this run's figure is one draw " +
  'of it. The answer ratio (second line) is what isolates the path in front of Temporal. ' +
  'What a run costs, whichever way it starts, is most of its CPU: the Temporal dev server 20 ' +
  "to 29 ms (the start, the first task, the timer, the search attribute's visibility row; " +
  "SQLite) and the hub's worker 10 to 15 ms in those eight runs (this run's own are in the " +
  "CPU lines above; a quieter hour gives less of each). Part of the worker's: " +
  "@temporalio/worker runs every call into a workflow's context through vm's runInContext " +
  'with a timeout, and Node starts a watchdog thread for each such call: 96 to 144 µs of ' +
  'CPU a call, against 1 to 4 µs without, measured here; a first task and the later ' +
  "eviction make several such calls. The webhook path adds the hub's main thread (HTTP, " +
  'signature, 13 statements, the client start: 5.6 to 7.1 ms a start in those whose ' +
  'threads were read) and PostgreSQL (2.3 to 3.3 ms). Tried on 3 Dec, one alternated pair of ' +
  'runs each: PostgreSQL over its Unix socket instead of TCP (0.862 and 0.874 by socket, ' +
  "0.933 and 0.748 by TCP: no change beyond the spread); the hub's young generation at 64 MiB " +
  '(--max-semi-space-size): no change.';

/**
 * n8n's webhook executions per second, by hand on 3 Dec from 13:15 UTC on the machine of this
 * stop (Intel Xeon, 2 cores): three runs of four rounds of 1,200, alternated with two of
 * townhall's (N8N_TOWNHALL_RUNS).
 */
const N8N_ROUNDS = [46.8, 40.6, 67.1, 58.5, 67.6, 71.6, 47.1, 26.6, 31.2, 37.8, 42.3, 29.1];
/** The two ingest-starts runs between n8n's three, and n8n's mean on either side of each. */
const N8N_TOWNHALL_RUNS = [
  { answered: 79.5, throughFirstTasks: 46.1, n8nAround: 53.2 },
  { answered: 59.6, throughFirstTasks: 31.8, n8nAround: 44.2 },
];

/**
 * The n8n comparison the issue asks for (bench/README.md, "Beside n8n"). n8n is not a
 * dependency, so its side is the by-hand figure; townhall's is this run's.
 */
export function besideN8n(rates: { answered: number; throughFirstTasks: number }) {
  const n8n = N8N_ROUNDS.reduce((sum, rate) => sum + rate, 0) / N8N_ROUNDS.length;
  const alternated = (pick: 'answered' | 'throughFirstTasks') =>
    N8N_TOWNHALL_RUNS.map((run) => `${ratio(run[pick], run.n8nAround)}×`).join(' and ');
  return [
    'Beside n8n (by hand, as bench/n8n/compare.ts drives it, on this machine, 3 Dec 13:15 to',
    '13:27 UTC): n8n 1.123.16 with its executions in PostgreSQL, a webhook that calls a',
    'local HTTP server and answers from its Respond node, 32 closed-loop senders of the same',
    `generator. Its 12 rounds of 1,200 over three runs: ${Math.min(...N8N_ROUNDS)} to`,
    `${Math.max(...N8N_ROUNDS)}/s, mean ${round1(n8n)}/s (p50 428 to 1,135 ms, p99 578 to`,
    '2,460 ms). Two townhall runs alternated with them: answered 79.5 and 59.6/s',
    `(${alternated('answered')} n8n's rounds either side), through first tasks 46.1 and`,
    `31.8/s (${alternated('throughFirstTasks')}). This run: ${round1(rates.answered)}/s`,
    `answered (${ratio(rates.answered, n8n)}× n8n's mean) and`,
    `${round1(rates.throughFirstTasks)}/s through first tasks (${ratio(rates.throughFirstTasks, n8n)}×).`,
    "n8n's rate is of answers too: its Respond node answers before the execution is saved, as",
    'we read n8n. So townhall answers 1.35 to 1.49× as fast as n8n, short of the 1.5× the',
    'issue asks, and runs what it started at 0.72 to 0.87× of',
    "n8n's rate. They do different work: n8n saves one execution and calls out; townhall",
    'stores the event, the member, the activity and the journey run, and starts a durable',
    'workflow, whose start and first task cost the Temporal server and the worker more CPU',
    "than the hub's own path (the CPU line above).",
  ].join(' ');
}
