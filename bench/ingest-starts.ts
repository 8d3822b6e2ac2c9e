// Journey starts through townhall (signed Slack team_join → stored event, member, journey run,
// workflow start) against raw `client.workflow.start` of the same workflow with the same input:
// how much of the rate a raw start keeps the hub keeps. A start counts once its run has run its
// first workflow task, as a sustained flood needs; the rate of answers alone is beside it.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startSandbox } from '../sandbox/index.js';
import { freePort } from '../tests/support/ports.js';
import type { Benchmark, BenchContext } from './lib/context.js';
import type { BenchHub } from './lib/hub.js';
import { benchClient, startBenchHub } from './lib/hub.js';
import { describeProfile, summarizeProfiles } from './lib/profile.js';
import { cpuSnapshot, cpuSpent, threadCpu, threadCpuSpent } from './lib/cpu.js';
import type { JourneyStarts } from './lib/journey-starts.js';
import { journeyStarts, timedRound } from './lib/journey-starts.js';
import { ratio, round, round1, summarize } from './lib/stats.js';
import { benchConnectorsYaml, benchSandboxVendors } from './lib/webhooks.js';
import type { Arm, Arms } from './ingest-starts-findings.js';
import {
  besideN8n,
  cpuFinding,
  FIRST_TASKS,
  hubThreadFinding,
  hubThreadsPerStart,
  perStart,
  TRIED,
} from './ingest-starts-findings.js';

const JOURNEY = 'bench-wait';
/** The measure: 32 senders. The smoke, inside a busy test run, stays light. */
const concurrencyFor = (size: 'full' | 'smoke') => (size === 'full' ? 32 : 4);

const config = (sandboxUrl: string) => `
connectors:
${benchConnectorsYaml(sandboxUrl, ['slack'])}
journeys:
  # Both arms start this and nothing more: a run that only waits.
  ${JOURNEY}:
    trigger: member.joined
    entry: once
    steps:
      - wait: 1h
`;

/** A hub on a fresh schema, with the client and store connection the arms need. */
async function withHub<T>(
  context: BenchContext,
  sandboxUrl: string,
  profileDir: string | undefined,
  work: (hub: BenchHub, starts: JourneyStarts, store: pg.Client) => Promise<T>,
): Promise<T> {
  const hub = await startBenchHub({
    config: config(sandboxUrl),
    temporalAddress: context.temporalAddress,
    namespace: context.namespace,
    store: 'postgres',
    postgresUrl: context.postgresUrl,
    profileDir,
    ...(process.env.BENCH_HUB_NODE_OPTIONS
      ? { env: { NODE_OPTIONS: process.env.BENCH_HUB_NODE_OPTIONS } }
      : {}),
  });
  const client = benchClient(context.temporalAddress, context.namespace);
  const store = new pg.Client({ connectionString: hub.databaseUrl });
  await store.connect();
  try {
    const starts = journeyStarts({ hub, client, store, journey: JOURNEY });
    return await work(hub, starts, store);
  } finally {
    await store.end();
    await client.connection.close();
    await hub.stop();
  }
}

/** Both arms, ABBA, after a warm-up of each; every acknowledged join checked in the store. */
async function timedArms(
  context: BenchContext,
  sandboxUrl: string,
  rounds: number,
  perArm: number,
  concurrency: number,
): Promise<Arms> {
  return withHub(context, sandboxUrl, undefined, async (hub, starts, store) => {
    // Warm both paths (the bundle, connections, JIT) before anything counts.
    await timedRound(starts, perArm / 4, concurrency, starts.join);
    await starts.learnFromHub();
    await timedRound(starts, perArm / 4, concurrency, starts.rawStart);
    const processes = { hub: hub.pid, bench: process.pid };
    const arms: Arms = {
      webhook: { name: 'webhook', runs: [], cpu: [], hubThreads: [] },
      raw: { name: 'raw', runs: [], cpu: [], hubThreads: [] },
    };
    for (let round = 0; round < rounds; round++) {
      // ABBA: each arm goes first half the time, so warming and drift hit both alike.
      const order = round % 2 === 0 ? (['webhook', 'raw'] as const) : (['raw', 'webhook'] as const);
      for (const name of order) {
        const before = cpuSnapshot(processes);
        const threadsBefore = threadCpu(hub.pid);
        const result = await timedRound(
          starts,
          perArm,
          concurrency,
          name === 'webhook' ? starts.join : starts.rawStart,
        );
        arms[name].cpu.push(cpuSpent(before, cpuSnapshot(processes)));
        arms[name].hubThreads.push(threadCpuSpent(threadsBefore, threadCpu(hub.pid)));
        arms[name].runs.push(result);
        context.log(
          `round ${round + 1}/${rounds} ${name}: ${round1(result.rate)}/s through first tasks ` +
            `(answered at ${round1(result.answeredRate)}/s, first tasks all run ` +
            `${Math.round(result.firstTasksMs)} ms after)`,
        );
      }
    }
    const { rows } = await store.query<{ count: string }>(
      'select count(*) from journey_runs where journey = $1',
      [JOURNEY],
    );
    if (Number(rows[0]!.count) !== starts.joinsSent())
      throw new Error(
        `${starts.joinsSent()} joins answered 200, ${rows[0]!.count} journey runs stored`,
      );
    return arms;
  });
}

/**
 * Where the hub's main thread spends a webhook start, from a hub of its own under
 * `node --cpu-prof`, after the timed rounds: the profiler costs the hub CPU of its own (its
 * thread took 1.8 to 2.6 ms a start in trials here), so the timed hub runs without it.
 */
async function profiledRound(
  context: BenchContext,
  sandboxUrl: string,
  perArm: number,
  concurrency: number,
): Promise<string> {
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'townhall-bench-starts-'));
  await withHub(context, sandboxUrl, profileDir, async (_hub, starts) => {
    await timedRound(starts, perArm / 4, concurrency, starts.join);
    await timedRound(starts, perArm, concurrency, starts.join);
  });
  return (
    `The hub's CPU by self time (node --cpu-prof on a hub of its own, ${perArm * 1.25} webhook ` +
    `starts after the timed rounds): ${describeProfile(summarizeProfiles(profileDir).shares)}`
  );
}

const totalOf = (arm: Arm) => {
  const answers = arm.runs.flatMap((run) => run.answers);
  const elapsedMs = arm.runs.reduce((sum, run) => sum + run.elapsedMs, 0);
  const answeringMs = arm.runs.reduce((sum, run) => sum + run.answeringMs, 0);
  return {
    answers,
    rate: (answers.length * 1000) / elapsedMs,
    answeredRate: (answers.length * 1000) / answeringMs,
  };
};

export const ingestStarts: Benchmark = {
  name: 'ingest-starts',
  async run(context) {
    const { size } = context;
    // Four rounds (ABBA twice) of 300 kept `npm run bench` within its 10 minutes.
    const rounds = size === 'full' ? 4 : 2;
    const perArm = size === 'full' ? 300 : 40;
    const concurrency = concurrencyFor(size);
    const sandbox = await startSandbox({
      port: await freePort(),
      vendors: benchSandboxVendors(['slack']),
    });
    try {
      const arms = await timedArms(context, sandbox.url, rounds, perArm, concurrency);
      const profiled =
        size === 'full'
          ? await profiledRound(context, sandbox.url, perArm, concurrency)
          : undefined;
      const webhook = totalOf(arms.webhook);
      const raw = totalOf(arms.raw);
      const webhookLatency = summarize(webhook.answers.map((a) => a.latencyMs));
      const rawLatency = summarize(raw.answers.map((a) => a.latencyMs));
      const rates = (arm: Arm, pick: (run: Arm['runs'][number]) => number) =>
        arm.runs.map((run) => round1(pick(run))).join(', ');
      const firstTasks = (arm: Arm) =>
        arm.runs.map((run) => (run.firstTasksMs / 1000).toFixed(1)).join(', ');
      return {
        name: 'ingest-starts',
        title: 'Ingest: journey starts through signed webhooks',
        method:
          `${concurrency} concurrent senders, closed loop. Webhook arm: signed Slack \`team_join\` ` +
          'deliveries to `townhall start` (PostgreSQL store), each a new member whose journey ' +
          `(\`${JOURNEY}\`: one \`wait: 1h\`) starts; the answer comes once the event, the member, ` +
          'the journey run and the workflow start are durable. Raw arm: `client.workflow.start` of ' +
          'the same workflow type with the input, memo and search attributes read back from a run ' +
          'the hub started, through a client with the same payload codec, on the same task queue ' +
          `(so the same worker runs both arms' runs). ${rounds} rounds of ${perArm} per arm, in ` +
          'ABBA order, after a warm-up of each. A round is timed until every run it started has ' +
          'run its first workflow task (which marks TownhallStep at its wait: a visibility count, ' +
          'asked every 100 ms once the last answer is in), so the work a start leaves the server ' +
          'and the worker is charged to the round that made it; the answers alone are timed too. ' +
          'Every acknowledged join is checked against the journey runs stored.',
        command: 'npm run bench -- ingest-starts',
        size,
        figures: [
          {
            label: 'journey starts per second through their first task, signed webhooks',
            value: round(webhook.rate),
            unit: '/s',
            ceiling: {
              label: 'raw workflow.start, through first tasks too',
              value: round(raw.rate),
            },
            ratio: ratio(webhook.rate, raw.rate),
            goal: { op: '>=', value: 0.9 },
          },
          {
            label: 'journey starts answered per second (first tasks not waited for)',
            value: round(webhook.answeredRate),
            unit: '/s',
            ceiling: { label: 'raw workflow.start', value: round(raw.answeredRate) },
            ratio: ratio(webhook.answeredRate, raw.answeredRate),
            goal: { op: '>=', value: 0.9 },
          },
          { label: 'webhook ack p50', value: webhookLatency.p50Ms, unit: 'ms' },
          {
            label: 'webhook ack p99',
            value: webhookLatency.p99Ms,
            unit: 'ms',
            ceiling: { label: 'raw start p99', value: rawLatency.p99Ms },
            ratio: ratio(webhookLatency.p99Ms, rawLatency.p99Ms),
          },
        ],
        findings: [
          ...(profiled ? [profiled] : []),
          `Round by round, in order, through first tasks: raw ${rates(arms.raw, (r) => r.rate)}/s; ` +
            `webhook ${rates(arms.webhook, (r) => r.rate)}/s. Answered: raw ` +
            `${rates(arms.raw, (r) => r.answeredRate)}/s; webhook ` +
            `${rates(arms.webhook, (r) => r.answeredRate)}/s. The last first task ran this many ` +
            `seconds after the last answer: raw ${firstTasks(arms.raw)}; webhook ` +
            `${firstTasks(arms.webhook)}.`,
          cpuFinding(arms),
          hubThreadFinding(arms),
          FIRST_TASKS,
          TRIED,
          besideN8n({ answered: webhook.answeredRate, throughFirstTasks: webhook.rate }),
        ],
        details: {
          rounds: Object.values(arms).map((arm) => ({
            arm: arm.name,
            rates: arm.runs.map((r) => round1(r.rate)),
            answeredRates: arm.runs.map((r) => round1(r.answeredRate)),
            firstTasksMs: arm.runs.map((r) => Math.round(r.firstTasksMs)),
          })),
          webhookLatency,
          rawLatency,
          cpuMsPerStart: { webhook: perStart(arms.webhook), raw: perStart(arms.raw) },
          hubCpuMsPerStartByThread: {
            webhook: Object.fromEntries(hubThreadsPerStart(arms.webhook)),
            raw: Object.fromEntries(hubThreadsPerStart(arms.raw)),
          },
        },
      };
    } finally {
      await sandbox.stop();
    }
  },
};
