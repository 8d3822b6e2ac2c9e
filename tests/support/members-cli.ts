import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../store/db.js';
import { openDb } from '../../store/db.js';
import { migrateToLatest } from '../../store/migrate.js';
import type { TestDb } from './db.js';

/**
 * A store that both this test and a `townhall` child process can open: the test's PostgreSQL
 * schema (its URL), or, without DATABASE_URL, a PGlite database in a fresh TOWNHALL_DATA_DIR,
 * which one process may hold at a time: seed it, `release()` it, then run the CLI.
 */
export interface CliStore {
  db: Db;
  env: NodeJS.ProcessEnv;
  release(): Promise<void>;
}

export async function openCliStore(t: TestDb): Promise<CliStore> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'townhall-members-'));
  if (t.url)
    return {
      db: t.db,
      env: { DATABASE_URL: t.url, TOWNHALL_DATA_DIR: dataDir },
      release: () => Promise.resolve(),
    };
  const { db } = await openDb({ pgliteDir: path.join(dataDir, 'pglite') });
  await migrateToLatest(db);
  return { db, env: { DATABASE_URL: '', TOWNHALL_DATA_DIR: dataDir }, release: () => db.destroy() };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `townhall <args>` as its own process: a fresh start, nothing shared in memory. */
export function townhall(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.resolve('bin/townhall.js'), ...args],
      { env: { ...process.env, TOWNHALL_CONFIG: '', LOG_LEVEL: 'warn', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
