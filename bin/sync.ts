// `townhall sync ...`: the CRM backfill with a live progress bar, and the sync's status. Both talk
// to the running hub: its Temporal (TEMPORAL_ADDRESS, else the dev server `townhall start` runs)
// and its store.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Command } from 'commander';
import { providersOf, resolveProvider } from '../config/capabilities.js';
import type { LoadedConfig } from '../config/load.js';
import { registry } from '../connectors/index.js';
import { createLogger } from '../runtime/logger.js';
import { routingFor } from '../runtime/routing.js';
import { openStore } from '../runtime/services.js';
import { resolveSettings } from '../runtime/settings.js';
import { cliTemporalClient } from '../runtime/temporal.js';
import { syncStatus } from '../store/sync.js';
import { backfillProgress } from '../workflows/crm-backfill/workflow.js';
import type { BackfillProgress } from '../workflows/crm-backfill/types.js';
import { crmBackfillWorkflowId } from '../workflows/crm-backfill/types.js';
import { crmBackfill } from '../workflows/crm-backfill/workflow.js';

const number = new Intl.NumberFormat('en-US');

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One line: bar, done/total, percent, rate, ETA, and failures when there are any. */
export function renderProgress(p: BackfillProgress, width = 30): string {
  const share = p.total > 0 ? Math.min(1, (p.done + p.failed) / p.total) : p.finished ? 1 : 0;
  const filled = Math.round(share * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const parts = [
    `${bar} ${number.format(p.done + p.failed)}/${number.format(p.total)} ${Math.floor(share * 100)}%`,
    `${number.format(Math.round(p.perSecond))}/s`,
    p.finished
      ? `done in ${duration((p.finishedAt ?? Date.now()) - p.startedAt)}`
      : `ETA ${p.etaMs === null ? '?' : duration(p.etaMs)}`,
    ...(p.failed > 0 ? [`${number.format(p.failed)} refused (townhall sync status)`] : []),
    ...(p.bulk ? ['bulk API'] : []),
  ];
  return parts.join(' · ');
}

function crmOf(loaded: LoadedConfig, chosen: string | undefined): string {
  const crms = providersOf(loaded.config, registry, 'crm');
  if (chosen) {
    if (!crms.includes(chosen))
      throw new Error(
        `--crm ${chosen}: no configured connector of that name is a CRM (configured: ${crms.join(', ') || 'none'})`,
      );
    return chosen;
  }
  const resolution = resolveProvider(loaded.config, registry, 'crm');
  if ('id' in resolution) return resolution.id;
  throw new Error(
    'problem' in resolution
      ? resolution.problem
      : 'no CRM is configured (add one under connectors:)',
  );
}

function temporalOf(loaded: LoadedConfig) {
  const settings = resolveSettings(loaded.config, process.env);
  return { settings, client: cliTemporalClient(settings).client };
}

async function backfill(loaded: LoadedConfig, options: { crm?: string; detach?: boolean }) {
  const crm = crmOf(loaded, options.crm);
  const { settings, client } = temporalOf(loaded);
  const taskQueue = settings.temporal.taskQueue;
  const handle = await client.workflow.start(crmBackfill, {
    taskQueue,
    workflowId: crmBackfillWorkflowId(crm),
    args: [
      {
        crm,
        batchSize: loaded.config.workflows.crmSync?.batchSize,
        routing: routingFor(loaded.config, registry, taskQueue),
      },
    ],
    // Asking again while one runs attaches to it: one backfill per CRM at a time.
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  process.stderr.write(`backfill ${handle.workflowId} (Ctrl-C stops watching, not the backfill)\n`);
  if (options.detach) return;
  const tty = process.stderr.isTTY;
  let finished = false;
  const result = handle.result().finally(() => (finished = true));
  while (!finished) {
    const progress = await handle.query(backfillProgress).catch(() => undefined);
    if (progress)
      process.stderr.write(
        tty ? `\r${renderProgress(progress)}\x1b[K` : `${renderProgress(progress)}\n`,
      );
    await Promise.race([
      result.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 1_000)),
    ]);
  }
  const final = await result;
  process.stderr.write(`${tty ? '\r' : ''}${renderProgress(final)}${tty ? '\x1b[K' : ''}\n`);
}

/** How long `sync status` waits for a worker to answer about a running backfill. */
const QUERY_WAIT_MS = 5_000;

interface BackfillNow {
  /** Temporal's status of the latest run: RUNNING, COMPLETED, FAILED, TERMINATED ... */
  status: string;
  progress?: BackfillProgress;
  note?: string;
}

/**
 * The CRM's backfill as it is now, or null when there never was one. An ended backfill's
 * progress is its result, read from history; only a running one is asked, and a query needs a
 * worker: with none up it would hang until Temporal gives up, so it gets a few seconds.
 */
async function backfillNow(client: Client, crm: string): Promise<BackfillNow | null> {
  const handle = client.workflow.getHandle<typeof crmBackfill>(crmBackfillWorkflowId(crm));
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
  if (status === 'COMPLETED') return { status, progress: await handle.result() };
  if (status !== 'RUNNING') return { status };
  try {
    const progress = await client.connection.withDeadline(Date.now() + QUERY_WAIT_MS, () =>
      handle.query(backfillProgress),
    );
    return { status, progress };
  } catch {
    return { status, note: `no worker answered within ${QUERY_WAIT_MS / 1000} s; is one running?` };
  }
}

async function status(loaded: LoadedConfig, options: { json?: boolean }) {
  const logger = createLogger('townhall');
  logger.level = 'warn';
  const { settings, client } = temporalOf(loaded);
  const db = await openStore(settings, logger);
  try {
    const report = [];
    for (const crm of providersOf(loaded.config, registry, 'crm')) {
      report.push({ ...(await syncStatus(db, crm)), backfill: await backfillNow(client, crm) });
    }
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    for (const crm of report) {
      process.stdout.write(
        `${crm.crm}: last run ${crm.lastRunAt ?? 'never'} (${crm.lastRunWritten} written, ${crm.lastRunFailed} refused), lag ${duration(crm.lagMs)}\n`,
      );
      if (crm.backfill)
        process.stdout.write(
          `  backfill ${crm.backfill.status.toLowerCase()}${crm.backfill.progress ? ` ${renderProgress(crm.backfill.progress)}` : ''}${crm.backfill.note ? ` (${crm.backfill.note})` : ''}\n`,
        );
      for (const failure of crm.failures)
        process.stdout.write(
          `  refused ${failure.memberId} at ${failure.failedAt}: ${failure.reason}\n`,
        );
    }
  } finally {
    await db.destroy();
    await client.connection.close();
  }
}

/** Adds `sync backfill` and `sync status`; `load` reads the config or exits 1 with its problems. */
export function registerSyncCommands(program: Command, load: (file?: string) => LoadedConfig) {
  const sync = program.command('sync').description('the CRM sync: backfill and status');
  const fail = (error: unknown) => {
    process.stderr.write(`townhall: ${(error as Error).message}\n`);
    process.exit(1);
  };
  sync
    .command('backfill')
    .description(
      'write every member to the CRM, with live progress; attaches to a running backfill',
    )
    .option('-c, --config <file>', 'config file')
    .option('--crm <id>', 'the CRM connector (default: the one providers.crm chooses)')
    .option('--detach', 'start it and return')
    .action((options: { config?: string; crm?: string; detach?: boolean }) =>
      backfill(load(options.config), options).then(() => process.exit(0), fail),
    );
  sync
    .command('status')
    .description('last runs, lag, refused members and a running backfill, per CRM')
    .option('-c, --config <file>', 'config file')
    .option('--json', 'as JSON')
    .action((options: { config?: string; json?: boolean }) =>
      status(load(options.config), options).then(() => process.exit(0), fail),
    );
}
