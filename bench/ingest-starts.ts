// Journey starts through townhall (signed Slack team_join → stored event, member, journey run,
// workflow start) against raw `client.workflow.start` of the same workflow with the same input:
// how much of Temporal's own start rate the hub keeps.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startSandbox } from '../sandbox/index.js';
import { journeySearchAttributes } from '../workflows/journey/search-attributes.js';
import { freePort } from '../tests/support/ports.js';
import type { Benchmark } from './lib/context.js';
import type { BenchResult } from './lib/result.js';
import { benchClient, startBenchHub } from './lib/hub.js';
import { describeProfile, summarizeProfiles } from './lib/profile.js';
import type { CpuSpent } from './lib/cpu.js';
import { cpuSnapshot, cpuSpent, cpuTotal } from './lib/cpu.js';
import type { Answer, ArmResult } from './lib/load.js';
import { closedLoop, post, statusCounts } from './lib/load.js';
import { ratio, round, summarize } from './lib/stats.js';
import { startedWith } from './lib/start-input.js';
import { benchConnectorsYaml, benchSandboxVendors, slackJoin } from './lib/webhooks.js';

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

interface Arm {
  name: 'webhook' | 'raw';
  runs: ArmResult[];
  /** CPU by process over each of the arm's rounds. */
  cpu: CpuSpent[];
}

const total = (arm: Arm) => {
  const answers = arm.runs.flatMap((run) => run.answers);
  const elapsedMs = arm.runs.reduce((sum, run) => sum + run.elapsedMs, 0);
  return { answers, rate: (answers.length * 1000) / elapsedMs };
};

export const ingestStarts: Benchmark = {
  name: 'ingest-starts',
  async run({ size, temporalAddress, namespace, postgresUrl, log }) {
    // Four rounds (ABBA twice) of 300: six, or 400 a round, kept `npm run bench` over its 10
    // minutes on a 2-core machine half as fast as the one they were chosen on.
    const rounds = size === 'full' ? 4 : 2;
    const perArm = size === 'full' ? 300 : 40;
    const concurrency = concurrencyFor(size);
    const sandbox = await startSandbox({
      port: await freePort(),
      vendors: benchSandboxVendors(['slack']),
    });
    // The full run profiles the hub (sampling costs the webhook arm a little): where CPU goes.
    const profileDir =
      size === 'full' ? mkdtempSync(path.join(os.tmpdir(), 'townhall-bench-starts-')) : undefined;
    const hub = await startBenchHub({
      config: config(sandbox.url),
      temporalAddress,
      namespace,
      store: 'postgres',
      postgresUrl,
      profileDir,
    });
    let profiled = '';
    const client = benchClient(temporalAddress, namespace);
    const store = new pg.Client({ connectionString: hub.databaseUrl });
    await store.connect();
    const run = randomBytes(3).toString('hex');
    let joined = 0;
    let raw = 0;
    try {
      const join = () => post(hub.url, slackJoin(run, joined++));
      // Warm both paths (the bundle, connections, JIT) before anything counts.
      const warm = await closedLoop(perArm / 4, concurrency, join);
      if (warm.answers.some((answer) => answer.status !== 200))
        throw new Error(`warm-up answered ${JSON.stringify(statusCounts(warm.answers))}`);
      const { rows } = await store.query<{ workflow_id: string; member_id: string }>(
        'select workflow_id, member_id from journey_runs limit 1',
      );
      if (!rows[0]) throw new Error('the warm-up started no journey run');
      const template = await startedWith(client, rows[0].workflow_id);
      const [input] = template.input as [Record<string, unknown>];
      const rawStart = async (): Promise<Answer> => {
        const memberId = `bench-raw-${run}-${raw++}`;
        const started = performance.now();
        try {
          await client.workflow.start(template.workflowType, {
            taskQueue: hub.taskQueue,
            workflowId: `journey:${JOURNEY}:${memberId}`,
            args: [{ ...input, memberId }],
            memo: template.memo,
            ...(template.searchAttributes
              ? { typedSearchAttributes: journeySearchAttributes(JOURNEY, memberId) }
              : {}),
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          });
          return { status: 200, latencyMs: performance.now() - started };
        } catch {
          return { status: 0, latencyMs: performance.now() - started };
        }
      };
      await closedLoop(perArm / 4, concurrency, rawStart);
      const processes = { hub: hub.pid, bench: process.pid };

      const arms: Record<'webhook' | 'raw', Arm> = {
        webhook: { name: 'webhook', runs: [], cpu: [] },
        raw: { name: 'raw', runs: [], cpu: [] },
      };
      for (let round = 0; round < rounds; round++) {
        // ABBA: each arm goes first half the time, so warming and drift hit both alike.
        const order =
          round % 2 === 0 ? (['webhook', 'raw'] as const) : (['raw', 'webhook'] as const);
        for (const name of order) {
          const before = cpuSnapshot(processes);
          const result = await closedLoop(
            perArm,
            concurrency,
            name === 'webhook' ? join : rawStart,
          );
          arms[name].cpu.push(cpuSpent(before, cpuSnapshot(processes)));
          arms[name].runs.push(result);
          log(`round ${round + 1}/${rounds} ${name}: ${round1(result.rate)}/s`);
        }
      }
      const webhook = total(arms.webhook);
      const rawTotal = total(arms.raw);
      const failed = [...webhook.answers, ...rawTotal.answers].filter((a) => a.status !== 200);
      if (failed.length > 0)
        throw new Error(`${failed.length} starts failed: ${JSON.stringify(statusCounts(failed))}`);
      // Every acknowledged join is a journey run the store knows and Temporal started.
      const { rows: counted } = await store.query<{ count: string }>(
        'select count(*) from journey_runs where journey = $1',
        [JOURNEY],
      );
      if (Number(counted[0]!.count) !== joined)
        throw new Error(`${joined} joins acknowledged, ${counted[0]!.count} journey runs stored`);
      const webhookLatency = summarize(webhook.answers.map((a) => a.latencyMs));
      const rawLatency = summarize(rawTotal.answers.map((a) => a.latencyMs));
      const result: Omit<BenchResult, 'machine' | 'measuredAt' | 'durationS'> = {
        name: 'ingest-starts',
        title: 'Ingest: journey starts through signed webhooks',
        method:
          `${concurrency} concurrent senders, closed loop. Webhook arm: signed Slack \`team_join\` ` +
          'deliveries to `townhall start` (PostgreSQL store), each a new member whose journey ' +
          `(\`${JOURNEY}\`: one \`wait: 1h\`) starts; the answer comes once the event, the member, ` +
          'the journey run and the workflow start are durable. Raw arm: `client.workflow.start` of ' +
          'the same workflow type with the input, memo and search attributes read back from a run ' +
          'the hub started, through a client with the same payload codec, on the same task queue ' +
          `(so the same worker takes both arms' first workflow tasks). ${rounds} rounds of ` +
          `${perArm} per arm, in ABBA order, after a warm-up of each; every acknowledged join is ` +
          'checked against the journey runs stored.',
        command: 'npm run bench -- ingest-starts',
        size,
        figures: [
          {
            label: 'journey starts per second, signed webhooks',
            value: round(webhook.rate),
            unit: '/s',
            ceiling: { label: 'raw workflow.start', value: round(rawTotal.rate) },
            ratio: ratio(webhook.rate, rawTotal.rate),
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
        findings: [],
        details: {
          rounds: Object.values(arms).map((arm) => ({
            arm: arm.name,
            rates: arm.runs.map((r) => round1(r.rate)),
          })),
          webhookLatency,
          rawLatency,
          journeyRuns: joined,
          cpuMsPerStart: {
            webhook: perStart(arms.webhook),
            raw: perStart(arms.raw),
          },
        },
      };
      await hub.stop();
      if (profileDir)
        profiled = `The hub's CPU by self time (node --cpu-prof, both arms): ${describeProfile(summarizeProfiles(profileDir).shares)}`;
      const rates = (arm: Arm) => arm.runs.map((r) => round1(r.rate)).join(', ');
      const drift = `Round by round, in order: raw ${rates(arms.raw)}/s; webhook ${rates(arms.webhook)}/s.`;
      return {
        ...result,
        findings: [
          ...(profiled ? [profiled] : []),
          drift,
          cpuFinding(arms),
          TRIED,
          besideN8n(webhook.rate),
        ],
      };
    } finally {
      await store.end();
      await client.connection.close();
      await hub.stop();
      await sandbox.stop();
    }
  },
};

const round1 = (value: number) => round(value, 1);

const PLACES = ['temporal', 'hub', 'postgres', 'bench', 'other'] as const;
const PLACE_NAMES: Record<(typeof PLACES)[number], string> = {
  temporal: 'the Temporal dev server',
  hub: 'the hub (HTTP, store client, worker)',
  postgres: 'PostgreSQL',
  bench: 'the load generator',
  other: 'the rest of the machine',
};

/** CPU ms per start by place over an arm's rounds, and how busy the machine was. */
function perStart(arm: Arm) {
  const spent = cpuTotal(arm.cpu);
  const starts = arm.runs.reduce((sum, run) => sum + run.answers.length, 0);
  const busy = PLACES.reduce((sum, place) => sum + spent[place], 0);
  return {
    ...Object.fromEntries(PLACES.map((place) => [place, round1(spent[place] / starts)])),
    total: round1(busy / starts),
    busyShare: round(busy / (busy + spent.idle), 2),
  } as Record<(typeof PLACES)[number] | 'total' | 'busyShare', number>;
}

/**
 * Who spent the shared cores per start in each arm: the difference between the arms is what
 * the hub's path adds, and a busy machine turns it straight into a lower rate.
 */
function cpuFinding(arms: Record<'webhook' | 'raw', Arm>): string {
  const webhook = perStart(arms.webhook);
  const raw = perStart(arms.raw);
  const parts = PLACES.map(
    (place) => `${PLACE_NAMES[place]} ${webhook[place]} / ${raw[place]}`,
  ).join(', ');
  return (
    `CPU per start, webhook arm / raw arm (ms, all threads, from /proc): ${parts}; in all ` +
    `${webhook.total} / ${raw.total} ms, with the 2 cores ${Math.round(webhook.busyShare * 100)}% / ` +
    `${Math.round(raw.busyShare * 100)}% busy. At a machine this busy the rate follows the CPU a ` +
    `start costs: ${raw.total} / ${webhook.total} = ${round(raw.total / webhook.total, 2)}.`
  );
}

/** What this issue tried on the path, and what the measurements around it showed. */
const TRIED =
  'What was tried: the community router makes the event, its member and its activity one ' +
  'transaction (one commit instead of four for an event nothing else acts on, two where a ' +
  'workflow starts), the event insert and the duplicate check one statement, and a known ' +
  'member one UPDATE without the advisory-lock transaction. Since 3 Dec a join that starts a ' +
  'journey takes 13 statements, not 16: a new identity and its roll-ups are one INSERT, a ' +
  'new level and its history row one, and the journeys do not ask the store for runs that ' +
  'hear the event of a member it has just made. Alternated runs before and after (three ' +
  'each, one machine, same hour): CPU per webhook start 25.6 to 24.1 ms (PostgreSQL 4.1 to ' +
  '3.6, the hub 10.0 to 9.4), webhook rate 75.5 to 80.2/s; the ratio did not move outside ' +
  "the raw arm's own spread (0.57 before, 0.55 after). What limits it is the CPU line above: " +
  'the cores are nearly all busy, and a start through the hub costs about twice the CPU of a ' +
  'raw start (the HTTP request and its signature, 13 statements and 3 commits, the start ' +
  'itself and its payload encryption), so it gets about half the rate. The profile of the ' +
  "hub's main thread puts a third of its busy time in the store client, over half of that in " +
  'the socket write each statement makes: fewer statements is the lever left. Since 3 Dec ' +
  'an event from a known identity is one statement (ingest-activity); a join brings a new ' +
  'identity, whose member is made under an advisory lock in a transaction, so this path ' +
  'keeps its 13. Since 3 Dec a statement that runs again is prepared once per connection ' +
  '(store/prepared-pool.ts), not parsed and planned on every run. Three alternated runs ' +
  "each, same hour: PostgreSQL's CPU per webhook start 3.7, 3.4, 3.6 to 1.8, 2.5, 1.9 ms; the " +
  "ratio 0.58, 0.63, 0.57 to 0.67, 0.62, 0.54, within the raw arm's own spread: PostgreSQL " +
  'was about a seventh of the CPU a start costs, the dev server and the hub most of the rest. ' +
  'Not tried: group commit across events.';

/** n8n's webhook executions per second, by hand on 3 Dec: 13 rounds of 1,200 over three runs. */
const N8N_ROUNDS = [70, 94, 117, 116, 126, 128, 108, 89, 69, 96, 103, 106, 100];

/**
 * The n8n comparison the issue asks for (bench/README.md, "Beside n8n"). n8n is not a
 * dependency, so its side is the by-hand figure; townhall's is this run's.
 */
function besideN8n(webhookRate: number) {
  const n8n = N8N_ROUNDS.reduce((sum, rate) => sum + rate, 0) / N8N_ROUNDS.length;
  return [
    'Beside n8n (by hand, 3 Dec, as bench/n8n/compare.ts drives it, this machine): n8n 1.123.16',
    'with its executions in PostgreSQL, a webhook that calls a local HTTP server and answers',
    'from its Respond node, 32 closed-loop senders of the same generator. Its 13 rounds of',
    `1,200 over three runs: ${Math.min(...N8N_ROUNDS)} to ${Math.max(...N8N_ROUNDS)}/s, mean`,
    `${round1(n8n)}/s (p50 240 to 450 ms, p99 340 to 720 ms). A townhall run alternated with`,
    `them gave 82.1/s for its webhook arm (${ratio(82.1, n8n)}× n8n's mean); this run's`,
    `${round1(webhookRate)}/s is ${ratio(webhookRate, n8n)}×. Either way short of the 1.5×`,
    'the issue asks (its 50 to 62/s for n8n was measured on another machine). They do',
    'different work: n8n saves one execution and calls out; townhall stores the event, the',
    'member, the activity and the journey run, and starts a durable workflow, whose start',
    "costs the Temporal server about as much CPU as the hub's own work (the CPU line above).",
  ].join(' ');
}
