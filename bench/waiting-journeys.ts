// Waiting journeys (issue 15): a community's drips spend nearly all their life in a durable wait.
// N runs of a real journey are parked, each holding a DM for its send window, and the window
// opens at one instant for all of them (as a 09:00 window does for every drip deferred over
// night): measured, how fast they get parked, what the hub's worker holds in memory while they
// wait (its sticky cache), and how fast they all finish once their timers fire together.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Benchmark } from './lib/context.js';
import { startBenchHub } from './lib/hub.js';
import { benchConnectorsYaml, benchSandboxVendors } from './lib/webhooks.js';
import { parseConfig } from '../config/load.js';
import { ratio, round } from './lib/stats.js';
import { startSandbox } from '../sandbox/index.js';
import {
  count,
  heapLimitMiB,
  inputFromWebhook,
  paced,
  postTeamJoin,
  sampler,
  slope,
  statuses,
  timerSample,
  TRIED,
  terminateLeftovers,
  waitFor,
} from './waiting-journeys-support.js';
import { journeySearchAttributes } from '../workflows/journey/search-attributes.js';
import type { JourneyInput } from '../workflows/journey/types.js';
import { journeyWorkflowId } from '../workflows/journey/types.js';
import type { journey } from '../workflows/journey/workflow.js';
import { WEEKDAYS } from '../workflows/steps/send-window.js';

const JOURNEY = 'parked';
/** Starts in flight from the bench process, as a busy router would have them. */
const CONCURRENCY = 64;
const GiB = 1024;
/** Member-id prefixes (ids are uuids in the store): the pilot's runs and the parked ones. */
const PILOT = '00000000';
const PARKED = 'ffffffff';
const DAY_S = 86_400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const thousands = (n: number) => n.toLocaleString('en-US');

/**
 * One DM held by a send window that is closed for days (so the webhook's own run waits); the
 * bench's runs get a window of their own. No platform in their input: the DM step then ends the
 * run without a vendor call, so the resume is the hub's work alone.
 */
const config = (sandboxUrl: string, cacheSize: string | undefined) => `
${cacheSize ? `temporal:\n  workflowCacheSize: ${cacheSize}\n` : ''}connectors:
${benchConnectorsYaml(sandboxUrl, ['slack'])}
journeys:
  ${JOURNEY}:
    trigger: member.joined
    entry: every_time
    send_window:
      days: [${WEEKDAYS[(new Date().getUTCDay() + 3) % 7]}]
      hours: '09:00-17:00'
      timezone: UTC
    steps:
      - dm.send: { text: 'Good morning, {{ member.name }}!', subject: 'Good morning' }
`;

/** A window that opens at `at` (a whole second, UTC) and stays open an hour. */
function opensAt(at: number): NonNullable<JourneyInput['sendWindow']> {
  const from = Math.floor((at % (DAY_S * 1000)) / 1000);
  return { days: [0, 1, 2, 3, 4, 5, 6], from, to: Math.min(DAY_S, from + 3600), timezone: 'UTC' };
}

export const waitingJourneys: Benchmark = {
  name: 'waiting-journeys',
  async run(ctx) {
    const smoke = ctx.size === 'smoke';
    // 10,000 (the issue's size) parks for many minutes on 2 cores: BENCH_PARKED=10000 runs it.
    const parked = smoke ? 40 : Number(process.env.BENCH_PARKED || 1_000);
    const pilot = smoke ? 10 : 100;
    /** For trying sticky cache sizes (temporal.workflowCacheSize): e.g. BENCH_WORKFLOW_CACHE=100. */
    const cacheSize = process.env.BENCH_WORKFLOW_CACHE || undefined;
    /** For trying heap settings on the hub (not the product's): e.g. --max-old-space-size=768. */
    const hubNodeOptions = process.env.BENCH_HUB_NODE_OPTIONS || undefined;
    /**
     * For runs too long to wait out (100,000 parked): when the window opens, in seconds after
     * parking starts, instead of the pilot's estimate plus 60%; and how long the resume is
     * watched before the rate is taken from what ended by then.
     */
    const opensAfterS = Number(process.env.BENCH_OPENS_AFTER_S) || undefined;
    const resumeWatchS = Number(process.env.BENCH_RESUME_WATCH_S) || undefined;
    /**
     * At most this many runs started and not yet parked: a flood of 100,000 starts left the dev
     * server dispatching 1.5 first tasks a second and growing past 20 GiB (3 Dec).
     */
    const parkAhead = Number(process.env.BENCH_PARK_AHEAD) || undefined;
    // A visibility count over 100,000 runs is the dev server's work too: asked less often then.
    const countEveryMs = parked > 10_000 ? 2_000 : 250;
    const began = Date.now();
    const sandbox = await startSandbox({
      port: 0,
      vendors: benchSandboxVendors(['slack']),
    });
    const hubConfig = config(sandbox.url, cacheSize);
    // The cache size as the hub reads it: the config's default unless the bench set one.
    const cache = parseConfig(hubConfig, 'waiting-journeys', {}).temporal.workflowCacheSize;
    const hub = await startBenchHub({
      config: hubConfig,
      temporalAddress: ctx.temporalAddress,
      namespace: ctx.namespace,
      store: 'postgres',
      postgresUrl: ctx.postgresUrl,
      env: {
        ...(hubNodeOptions ? { NODE_OPTIONS: hubNodeOptions } : {}),
      },
    }).catch(async (error: unknown) => {
      await sandbox.stop();
      throw error;
    });
    ctx.log(`hub ready in ${round((Date.now() - began) / 1000)} s`);
    const rss = sampler(() => hub.rssMiB());
    let client: Client | undefined;
    try {
      // One member joins through a signed webhook: the router builds the input we then reuse.
      await postTeamJoin(hub.url);
      const found = await inputFromWebhook(ctx.temporalAddress, ctx.namespace, hub.taskQueue);
      const c = (client = found.client);
      const template = found.input;
      if (!template.searchAttributes) throw new Error('the dev server has no journey attributes');
      const runsOf = (tag: string) =>
        `WorkflowType = 'journey' AND TaskQueue = '${hub.taskQueue}' AND WorkflowId STARTS_WITH '${journeyWorkflowId(JOURNEY, tag)}'`;
      const completed = (tag: string) =>
        count(c, `${runsOf(tag)} AND ExecutionStatus = 'Completed'`);
      // Its first task ran (TownhallStep set); its timer starts once the member's zone is read.
      const waiting = (tag: string) =>
        count(
          c,
          `${runsOf(tag)} AND ExecutionStatus = 'Running' AND TownhallStep = 'steps[0] dm.send'`,
        );
      const start = (tag: string, i: number, sendWindow: JourneyInput['sendWindow']) => {
        const memberId = `${tag}${randomUUID().slice(8)}`;
        return c.workflow.start<typeof journey>('journey', {
          taskQueue: hub.taskQueue,
          workflowId: journeyWorkflowId(JOURNEY, memberId, `bench-${i}`),
          args: [{ ...template, memberId, platform: undefined, sendWindow }],
          memo: found.memo,
          typedSearchAttributes: journeySearchAttributes(JOURNEY, memberId),
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      };

      // The clock for the wait: a pilot parked in the config's window (days away), then ended.
      ctx.log(`pilot: parking ${pilot} runs`);
      const before = rss.now(); // the hub idle, one run held
      rss.phase('pilot');
      const p0 = Date.now();
      const pilots: string[] = [];
      const pilotStarts = await paced(pilot, CONCURRENCY, async (i) =>
        pilots.push((await start(PILOT, i, template.sendWindow)).workflowId),
      );
      const startRate = (pilot * 1000) / pilotStarts.elapsedMs;
      await waitFor(async () => (await waiting(PILOT)) >= pilot, p0 + 120_000);
      const pilotRate = (pilot * 1000) / (Date.now() - p0);
      await paced(pilot, CONCURRENCY, (i) => c.workflow.getHandle(pilots[i]!).terminate('pilot'));

      // The window opens when all should be parked at 5/8 of the pilot's rate: a pilot has run
      // up to 1.45× faster than the whole on a busy machine (1.38× at 10,000 parked). The smoke size, which only checks
      // that nothing rots, waits 8 s at most.
      const waitMs = Math.min(
        smoke ? 8_000 : Infinity,
        opensAfterS !== undefined
          ? opensAfterS * 1000
          : Math.max(5_000, Math.round((parked / pilotRate) * 1600) + 3_000),
      );
      const t0 = Date.now();
      const fireAt = Math.ceil((t0 + waitMs) / 1000) * 1000;
      ctx.log(`parking ${parked} runs; their window opens in ${round((fireAt - t0) / 1000)} s`);
      rss.phase('parking');
      const ids: string[] = [];
      let parkedCount = 0;
      const starts = paced(parked, CONCURRENCY, async (i) => {
        // parkedCount is the visibility count the loop below reads every countEveryMs.
        while (parkAhead !== undefined && i - parkedCount >= parkAhead) await sleep(100);
        ids[i] = (await start(PARKED, i, opensAt(fireAt))).workflowId;
      });
      const growth: [number, number][] = []; // runs parked, hub RSS then
      await waitFor(
        async () => {
          parkedCount = await waiting(PARKED);
          growth.push([parkedCount, rss.now()]);
          return parkedCount >= parked;
        },
        fireAt,
        countEveryMs,
      );
      await starts;
      const parkedAt = Date.now();
      const parkRate = (parkedCount * 1000) / (parkedAt - t0);
      ctx.log(`${parkedCount} parked after ${round((parkedAt - t0) / 1000)} s`);
      rss.phase('parked');
      await sleep(Math.min(2_000, fireAt - Date.now()));
      const parkedRss = rss.now();
      rss.phase('waiting');
      await sleep(fireAt - Date.now());

      // The window is open: every timer is due; completions counted until all have ended.
      rss.phase('resume');
      let done = 0;
      let firstDoneAt = Number.NaN;
      let ninetyNine = Number.NaN;
      const timeline: [number, number][] = [];
      await waitFor(
        async () => {
          done = await completed(PARKED);
          if (done > 0 && Number.isNaN(firstDoneAt)) firstDoneAt = Date.now();
          if (done >= 0.99 * parked && Number.isNaN(ninetyNine)) ninetyNine = Date.now();
          timeline.push([round((Date.now() - fireAt) / 1000, 2), done]);
          return done >= parked;
        },
        fireAt +
          (resumeWatchS !== undefined
            ? resumeWatchS * 1000
            : Math.max(60_000, 4 * (parkedAt - t0))),
        countEveryMs,
      );
      const doneAt = Date.now();
      const resumeRate = (done * 1000) / (doneAt - fireAt);
      rss.stop();
      const sample = await timerSample(c, ids, fireAt);
      const unfinished = done < parked ? await statuses(c, runsOf(PARKED)) : {};
      ctx.log(`${done} of ${parked} ended ${round((doneAt - fireAt) / 1000)} s after the opening`);
      // A run that failed is a bug, not a speed: no figure is worth reporting then.
      if ((unfinished.Failed ?? 0) > 0 || (smoke && done < parked))
        throw new Error(`parked runs did not all complete: ${JSON.stringify(unfinished)}`);

      const resumePeak = rss.peak('resume');
      const peak = Math.max(rss.peak('parking'), rss.peak('parked'), resumePeak);
      // While the cache fills, each run parked stays in it: what one cached run costs.
      const perCached = slope(
        growth.filter(([n]) => n >= Math.min(cache, parkedCount) / 5 && n <= cache),
      );
      // Past the cache, memory follows V8's collections rather than N: falls of 100 MiB or more.
      const falls = growth
        .map(([n, mib], i) => ({ n, from: growth[i - 1]?.[1] ?? mib, to: mib }))
        .filter(({ from, to }) => from - to >= 100);
      const pastCache = parkedCount > cache ? growth.find(([n]) => n >= cache) : undefined;
      const heapLimit = heapLimitMiB(hubNodeOptions);
      const s = (ms: number) => round(ms / 1000);
      const findings = [
        `The worker's sticky cache holds at most ${cache} workflows (temporal.workflowCacheSize in the config, the worker's maxCachedWorkflows; every other worker option is the SDK's default, among them 40 workflow tasks at a time and one reused V8 context): past that a parked run is evicted and replays its history when it wakes.`,
        `Hub RSS ${before} MiB idle, ${parkedRss} MiB with ${thousands(parked)} parked, peaks ${rss.peak('parking')} MiB while parking and ${resumePeak} MiB while resuming; ${round(perCached * 1000)} MiB per 1,000 runs while the cache filled (${round(perCached * cache)} MiB for a full cache). ${falls.length > 0 ? `Past the cache it rose and fell (${falls.map(({ n, from, to }) => `${from} to ${to} MiB at ${thousands(n)} parked`).join(', ')}): evicted runs are garbage that V8 collects only as its heap nears its limit (${heapLimit} MiB${hubNodeOptions ? ` with ${hubNodeOptions}` : ", Node's default for this machine's memory"}), ${parked < 100_000 ? `so 100,000 parked would peak about as high as this, not ${Math.round(100_000 / parked)}× higher.` : 'so the peak follows the heap, not the runs parked.'}` : pastCache ? `Past the cache it held no falls of 100 MiB: ${pastCache[1]} MiB at ${thousands(pastCache[0])} parked (the cache full), ${parkedRss} MiB at ${thousands(parked)}.` : ''}`,
        `Parking: Temporal accepted the pilot's starts at ${round(startRate)}/s (${CONCURRENCY} in flight); the ${thousands(parked)} runs' first tasks had all run ${s(parkedAt - t0)} s after the first start. Parking a run is two workflow tasks and one activity (the member's time zone); the dev server's persistence (SQLite) sets the pace: top, sampled during a 1,000-run park on 2 Dec, showed the dev server at 105% of a core and the hub at 62%.`,
        `Timers: in a sample of ${sample.firedMs.length + sample.withoutTimer}, the last one started ${s(sample.lastStartedMs)} s from the opening (negative: before), and they fired ${s(sample.firedMs[0]!)} to ${s(sample.firedMs.at(-1)!)} s after it; ${sample.withoutTimer} had no timer when read (their second task, after the time-zone activity, had not run before the opening, or not at all yet), ${sample.taskTimeouts} workflow tasks timed out${
          sample.taskTimeouts
            ? ` (${Object.entries(sample.timeoutTypes)
                .map(([type, n]) => `${n} ${type}`)
                .join(', ')})`
            : ''
        }: a start-to-close timeout (10 s) is a task the worker did not finish in time; a sticky schedule-to-start timeout is one that waited on the worker's own queue past the worker's stickyQueueScheduleToStartTimeout and went back to the shared queue, to be replayed from its history.`,
        `Resuming: first completion ${s(firstDoneAt - fireAt)} s after the opening, ${Number.isNaN(ninetyNine) ? '99% not within the watch' : `99% ${s(ninetyNine - fireAt)} s after`}, the last ${s(doneAt - fireAt)} s after; a resume is one workflow task, with a replay of the run's history when it was evicted from the cache.`,
      ];
      if (parkedCount < parked)
        findings.push(
          `Only ${thousands(parkedCount)} of ${thousands(parked)} were parked when the window opened: the wait estimated from the pilot was too short.`,
        );
      if (done < parked)
        findings.push(`Not all ended within the time allowed: ${JSON.stringify(unfinished)}.`);
      findings.push(TRIED);
      if (peak > GiB)
        findings.push(
          `Over 1 GiB: cap the worker's heap (NODE_OPTIONS=--max-old-space-size=<MiB>, so V8 collects evicted runs before RSS gets there: BENCH_HUB_NODE_OPTIONS passes it to the hub) and size temporal.workflowCacheSize (now ${cache}) so a full cache fits in it.`,
        );
      return {
        name: 'waiting-journeys',
        title: `Waiting journeys: ${thousands(parked)} parked runs`,
        method: `A hub (\`townhall start\`, PostgreSQL store) runs a journey of one DM held by its send window. One signed Slack team_join starts a run through the hub; its start input, read back from history, is reused to start ${thousands(parked)} runs directly with the Temporal client (${CONCURRENCY} in flight), each with its own member id, no platform (so the DM step ends the run without a vendor call) and a window that opens at the same second for all: the time it leaves is what a pilot of ${pilot} parked runs, just before, says parking all takes, plus 60%${opensAfterS !== undefined ? ` (here set: ${thousands(opensAfterS)} s after parking began, BENCH_OPENS_AFTER_S)` : ''}${parkAhead !== undefined ? `; at most ${thousands(parkAhead)} runs started and not yet parked at a time (BENCH_PARK_AHEAD)` : ''}${process.env.BENCH_TEMPORAL_DB_FILE ? '; the dev server keeps its SQLite in a file (BENCH_TEMPORAL_DB_FILE), not in memory' : ''}${resumeWatchS !== undefined ? `; the resume is watched ${thousands(resumeWatchS)} s (BENCH_RESUME_WATCH_S) and its rate taken from the runs ended by then` : ''}. Visibility counts say when their first task has run (TownhallStep set) and when they completed; a sample of 30 histories says when their timers started and fired. Parking is compared with the rate Temporal accepted the pilot's starts, the resume rate (completions per second from the opening to the last) with the parking rate. RSS is the hub process's (its worker holds the sticky cache), sampled every 250 ms. The large run: \`BENCH_PARKED=100000 BENCH_PARK_AHEAD=2000 BENCH_TEMPORAL_DB_FILE=/tmp/temporal-100k.db BENCH_OPENS_AFTER_S=4000 BENCH_RESUME_WATCH_S=400 npm run bench -- waiting-journeys\` (about 75 minutes); \`BENCH_HUB_NODE_OPTIONS\` (e.g. \`--max-old-space-size=768\`) tries heap settings on the hub, \`BENCH_WORKFLOW_CACHE\` cache sizes.`,
        command: 'npm run bench -- waiting-journeys',
        size: ctx.size,
        figures: [
          {
            label: 'runs parked per second',
            value: round(parkRate),
            unit: 'runs/s',
            ceiling: { label: 'starts Temporal accepted/s', value: round(startRate) },
            ratio: ratio(parkRate, startRate),
          },
          { label: `time to park ${thousands(parked)}`, value: s(parkedAt - t0), unit: 's' },
          {
            label: `hub RSS with ${thousands(parked)} parked`,
            value: parkedRss,
            unit: 'MiB',
            ceiling: { label: 'before (idle, one run held)', value: before },
            ratio: ratio(parkedRss, before),
          },
          {
            label: 'hub RSS per 1,000 runs in the cache (while it fills)',
            value: round(perCached * 1000),
            unit: 'MiB',
          },
          {
            label: `hub RSS peak, parking and resuming ${thousands(parked)}`,
            value: peak,
            unit: 'MiB',
            goal: smoke ? undefined : { op: '<=', value: GiB },
          },
          {
            label: 'resume rate when all timers fire together',
            value: round(resumeRate),
            unit: 'completions/s',
            ceiling: { label: 'runs parked/s', value: round(parkRate) },
            ratio: ratio(resumeRate, parkRate),
          },
        ],
        findings,
        details: {
          parked,
          pilot,
          pilotParkedPerSecond: round(pilotRate),
          hubNodeOptions: hubNodeOptions ?? null,
          heapLimitMiB: heapLimit,
          concurrency: CONCURRENCY,
          waitMs: fireAt - t0,
          maxCachedWorkflows: cache,
          rssPeaksMiB: rss.summary(),
          // Runs parked and hub RSS (MiB) then; seconds after the opening and runs ended by then.
          rssByParked: growth.filter((_, i) => i % Math.ceil(growth.length / 40) === 0),
          resumeTimeline: timeline.filter((_, i) => i % Math.ceil(timeline.length / 40) === 0),
          timersFiredMsAfterOpening: sample.firedMs.map((ms) => Math.round(ms)),
          unfinished,
        },
      };
    } finally {
      rss.stop();
      // The webhook's run and anything a failure left: the dev server is shared with later ones.
      if (client) await terminateLeftovers(client, hub.taskQueue).catch(() => {});
      await client?.connection.close();
      await hub.stop();
      await sandbox.stop();
    }
  },
};
