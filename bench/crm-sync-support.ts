// The CRM sync benchmark's helpers: members seeded in bulk, `townhall sync backfill` run as a user
// runs it and its result read back, the sandbox's request log kept whole, the busiest window of a
// rolling limit, and the Salesforce ceiling arm (Bulk API 2.0 jobs sent straight from here).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createSalesforceConnector } from '../connectors/salesforce/client.js';
import { salesforceCrm } from '../connectors/salesforce/capabilities.js';
import type { CrmPerson } from '../connectors/ports.js';
import { SALESFORCE_DEFAULTS } from '../sandbox/salesforce/index.js';
import { benchClient } from './lib/hub.js';
import { crmRecords } from '../store/crm-records.js';
import { openDb } from '../store/db.js';
import type { BackfillProgress } from '../workflows/crm-backfill/types.js';
import { crmBackfillWorkflowId } from '../workflows/crm-backfill/types.js';

/** Rows per INSERT ... SELECT generate_series: one statement each, no per-row round trips. */
const SEED_BATCH = 25_000;

/** `count` members with an email and a name, inserted in the store with SQL. */
export async function seedMembers(databaseUrl: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let from = 0; from < count; from += SEED_BATCH) {
      const to = Math.min(count, from + SEED_BATCH) - 1;
      await client.query(
        `insert into members (email, name)
         select 'member-' || g || '@example.com', 'Member ' || g from generate_series($1::int, $2::int) g`,
        [from, to],
      );
    }
  } finally {
    await client.end();
  }
}

const execFileAsync = promisify(execFile);

/**
 * `townhall sync backfill --crm <crm>` in its own process, watching to the end as a user does;
 * then the backfill's final progress (its own startedAt and finishedAt) from Temporal.
 */
export async function runBackfill(
  crm: string,
  configFile: string,
  /** The CLI's environment; its TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE are the hub's. */
  env: { TEMPORAL_ADDRESS: string; TEMPORAL_NAMESPACE: string } & NodeJS.ProcessEnv,
): Promise<{ progress: BackfillProgress; cliS: number; cliOutput: string }> {
  const started = performance.now();
  const { stderr } = await execFileAsync(
    process.execPath,
    [path.resolve('bin/townhall.js'), 'sync', 'backfill', '--crm', crm, '--config', configFile],
    { env: { ...process.env, ...env }, maxBuffer: 16 * 2 ** 20 },
  );
  const cliS = (performance.now() - started) / 1000;
  const client = benchClient(env.TEMPORAL_ADDRESS, env.TEMPORAL_NAMESPACE);
  try {
    const handle = client.workflow.getHandle(crmBackfillWorkflowId(crm));
    const progress = (await handle.result()) as BackfillProgress;
    return { progress, cliS, cliOutput: stderr.split('\n').slice(-3).join('\n') };
  } finally {
    await client.connection.close();
  }
}

/**
 * The sandbox keeps only its last 1,000 HubSpot requests: read it every `everyMs` and keep every
 * entry (the same objects each time, so a Set drops the repeats). A backfill at 19 requests/s
 * never outruns a 1 s read.
 */
export function keepWholeLog<T extends object>(read: () => T[], everyMs = 1_000) {
  const kept = new Set<T>();
  const take = () => {
    for (const entry of read()) kept.add(entry);
  };
  const timer = setInterval(take, everyMs);
  return {
    stop(): T[] {
      clearInterval(timer);
      take();
      return [...kept];
    },
  };
}

/** The most requests that arrived within any `windowMs` (times sorted ascending). */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

/**
 * The Salesforce ceiling arm: the same members in the same pages (id order, `page` each), each
 * one Bulk API 2.0 upsert job sent from here through townhall's own connector, `inFlight` jobs
 * at a time as the backfill runs them, polled every 20 ms at most: what the org takes with no
 * workflow, worker or store around it. The records are read before the clock starts. Returns
 * records written per second.
 */
export async function directBulkRate(
  sandboxUrl: string,
  databaseUrl: string,
  page: number,
  inFlight: number,
): Promise<{ perSecond: number; written: number; failed: number; seconds: number }> {
  const { db } = await openDb({ url: databaseUrl });
  let pages: CrmPerson[][];
  try {
    const ids = (await db.selectFrom('members').select('id').orderBy('id').execute()).map(
      (row) => row.id,
    );
    pages = [];
    for (let i = 0; i < ids.length; i += page)
      pages.push(await crmRecords(db, ids.slice(i, i + page)));
  } finally {
    await db.destroy();
  }
  const crm = salesforceCrm(
    createSalesforceConnector(
      {
        loginUrl: sandboxUrl,
        clientId: SALESFORCE_DEFAULTS.clientId,
        clientSecret: SALESFORCE_DEFAULTS.clientSecret,
      },
      { pollIntervalMs: 20 },
    ),
  );
  let written = 0;
  let failed = 0;
  const started = performance.now();
  let next = 0;
  const sender = async () => {
    while (next < pages.length) {
      const result = await crm.bulkUpsert!(pages[next++]!);
      written += result.upserted.length;
      failed += result.failed.length;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, sender));
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: written / seconds, written, failed, seconds };
}
