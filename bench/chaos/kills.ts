// The disruptions, one at a time: the worker SIGKILLed every few seconds, and once each the
// Temporal dev server killed and restarted and PostgreSQL restarted, in between the kills.
import type { ChaosHub } from './hub.js';
import type { OwnPostgres, OwnTemporal } from './services.js';

export interface KillStats {
  workerKills: number;
  temporalRestarts: number;
  postgresRestarts: number;
  /** What happened when, in seconds from the start, for the report. */
  log: string[];
}

export function emptyKillStats(): KillStats {
  return { workerKills: 0, temporalRestarts: 0, postgresRestarts: 0, log: [] };
}

/**
 * Runs until `keepGoing()` is false and at least the one Temporal and one PostgreSQL restart
 * have happened: worker kill, Temporal restart, worker kill, PostgreSQL restart, then worker
 * kills every `everyMs` (counted from when the last restart was ready), up to `maxWorkerKills`.
 */
export async function runDisruptions(options: {
  hub: ChaosHub;
  temporal: OwnTemporal;
  postgres: OwnPostgres;
  everyMs: number;
  maxWorkerKills: number;
  restartServices: boolean;
  keepGoing: () => boolean;
  stats: KillStats;
  startedAt: number;
}): Promise<void> {
  const { stats } = options;
  const at = () => ((Date.now() - options.startedAt) / 1000).toFixed(1);
  const note = (what: string) => stats.log.push(`${at()} s: ${what}`);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const killWorker = async () => {
    note('worker SIGKILL');
    await options.hub.killAndRestartWorker();
    stats.workerKills++;
    note('worker restarted');
  };
  const steps: Array<() => Promise<void>> = [killWorker];
  if (options.restartServices)
    steps.push(
      async () => {
        note('Temporal dev server SIGKILL');
        await options.temporal.killAndRestart();
        stats.temporalRestarts++;
        note('Temporal dev server restarted');
      },
      killWorker,
      () => {
        note('PostgreSQL restart (pg_ctl -m fast)');
        options.postgres.restart();
        stats.postgresRestarts++;
        note('PostgreSQL restarted');
        return Promise.resolve();
      },
    );

  for (const step of steps) {
    await sleep(options.everyMs);
    await step();
  }
  while (options.keepGoing() && stats.workerKills < options.maxWorkerKills) {
    await sleep(options.everyMs);
    if (!options.keepGoing()) break;
    await killWorker();
  }
}
