// One chaos run, start to end: own services, the hub as server + worker, the members' joins sent
// while the disruptions run, then a wait for every effect and the counts. Used by `npm run chaos`
// (bench/chaos/run.ts) and, smaller, by tests/chaos/chaos.test.ts.
import type { ChaosHub } from './hub.js';
import { startChaosHub } from './hub.js';
import type { KillStats } from './kills.js';
import { emptyKillStats, runDisruptions } from './kills.js';
import type { ChaosMember, SendStats } from './load.js';
import { deliveryPlan, emptyStats, seedMembers, sendPlan } from './load.js';
import type { ChaosResult } from './report.js';
import { EFFECT_KINDS, countEffects, ledger, missingFromStore, summarize } from './report.js';
import type { OwnPostgres, OwnTemporal } from './services.js';
import {
  failVendorCalls,
  startChaosSandbox,
  startOwnPostgres,
  startOwnTemporal,
} from './services.js';

export interface ChaosOptions {
  members: number;
  /** Share of events delivered a second time. */
  duplicateShare: number;
  /** Share of vendor API calls the sandbox answers with 429, 500 or 503. */
  vendorFailRate: number;
  /** Webhook deliveries per second (the vendors' pace). */
  perSecond: number;
  concurrency: number;
  /** Pause between disruptions, from when the last restart was ready. */
  killEveryMs: number;
  maxWorkerKills: number;
  /** Kill and restart Temporal and PostgreSQL once each. */
  restartServices: boolean;
  /** How long after the last delivery every effect may take to appear. */
  drainTimeoutMs: number;
  /** After the effects are all there: how long a duplicate has to show up before counting. */
  settleMs: number;
  /** Progress lines (stderr for the CLI; nothing for the test). */
  say: (line: string) => void;
}

export const DEFAULT_OPTIONS: ChaosOptions = {
  members: 1_000,
  duplicateShare: 0.2,
  vendorFailRate: 0.1,
  perSecond: 10,
  concurrency: 16,
  killEveryMs: 8_000,
  maxWorkerKills: 1_000,
  restartServices: true,
  drainTimeoutMs: 600_000,
  settleMs: 5_000,
  say: () => {},
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const { say } = options;
  const stops: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0)) {
      try {
        await stop();
      } catch (error) {
        say(`stopping: ${(error as Error).message}`);
      }
    }
  };
  // Ctrl-C (or a CI timeout) stops the suite's own PostgreSQL, Temporal and hub processes too.
  const interrupted = (signal: NodeJS.Signals) => {
    say(`${signal}: stopping the suite's services`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    say('starting PostgreSQL, the Temporal dev server and the sandbox');
    const [postgres, temporal, sandbox] = await Promise.all([
      startOwnPostgres(),
      startOwnTemporal(),
      startChaosSandbox(),
    ]);
    stops.push(
      () => postgres.stop(),
      () => temporal.stop(),
      () => sandbox.stop(),
    );
    const members = await seedMembers(sandbox, options.members);
    failVendorCalls(sandbox, options.vendorFailRate);

    say('starting townhall server and worker');
    const hub = await startChaosHub({
      sandbox,
      temporalAddress: temporal.address,
      databaseUrl: postgres.url,
    });
    stops.unshift(() => hub.stop());

    return await drive(options, { members, sandbox, hub, temporal, postgres });
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await stopAll();
  }
}

async function drive(
  options: ChaosOptions,
  parts: {
    members: ChaosMember[];
    sandbox: Awaited<ReturnType<typeof startChaosSandbox>>;
    hub: ChaosHub;
    temporal: OwnTemporal;
    postgres: OwnPostgres;
  },
): Promise<ChaosResult> {
  const { members, sandbox, hub, say } = { ...parts, say: options.say };
  const send: SendStats = emptyStats();
  const kills: KillStats = emptyKillStats();
  const plan = deliveryPlan(members, options.duplicateShare);
  const startedAt = Date.now();
  let sending = true;
  let complete = false;

  const countNow = () => countEffects(sandbox, members);
  // The DM is the journey's last step: once every member has one, every journey has made all
  // the effects it will make (an email it left unconfirmed after a kill is not retried).
  const allThere = async () => {
    const counts = await countNow();
    return [...counts.values()].every((count) => count.dm >= 1);
  };

  say(`sending ${plan.length} deliveries for ${members.length} members`);
  const disruptions = runDisruptions({
    hub,
    temporal: parts.temporal,
    postgres: parts.postgres,
    everyMs: options.killEveryMs,
    maxWorkerKills: options.maxWorkerKills,
    restartServices: options.restartServices,
    // Kills go on while webhooks arrive and journeys still have effects to make.
    keepGoing: () => sending || !complete,
    stats: kills,
    startedAt,
  }).catch((error: unknown) => {
    kills.log.push(`disruptions failed: ${(error as Error).message}`);
    throw error;
  });
  const progress = setInterval(() => {
    void countNow().then((counts) => {
      const done = [...counts.values()].filter((count) =>
        EFFECT_KINDS.every((kind) => count[kind] >= 1),
      ).length;
      say(
        `${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${send.acknowledged}/${plan.length} acknowledged, ${send.non2xx} non-2xx, ${done}/${members.length} members complete, kills ${kills.workerKills}/${kills.temporalRestarts}/${kills.postgresRestarts}`,
      );
    });
  }, 10_000);

  try {
    await sendPlan(plan, {
      serverUrl: hub.serverUrl,
      forumUrl: sandbox.url,
      perSecond: options.perSecond,
      concurrency: options.concurrency,
      giveUpAfterMs: 300_000,
      stats: send,
    });
    sending = false;
    const sentAt = Date.now();
    const deadline = sentAt + options.drainTimeoutMs;
    while (!(await allThere()) && Date.now() < deadline) await sleep(1_000);
    complete = true;
    // The disruptions end after the one in progress; the last worker is up before counting.
    await disruptions;
    const lastEffectAt = Date.now();
    await sleep(options.settleMs);

    const counts = await countNow();
    const result = summarize({
      members: members.length,
      platforms: {
        slack: members.filter((m) => m.platform === 'slack').length,
        discourse: members.filter((m) => m.platform === 'discourse').length,
      },
      send,
      kills,
      missingFromStore: await missingFromStore(parts.postgres.url, [...send.acknowledgedEventIds]),
      ledger: await ledger(parts.postgres.url),
      counts,
      durationSeconds: (lastEffectAt - startedAt) / 1000,
      drainSeconds: (lastEffectAt - sentAt) / 1000,
    });
    if (!result.passed)
      result.hubOutput = `--- server\n${hub.server.output().slice(-6_000)}\n--- worker\n${hub.worker().output().slice(-6_000)}`;
    return result;
  } finally {
    sending = false;
    complete = true;
    clearInterval(progress);
    await disruptions.catch(() => {});
  }
}
