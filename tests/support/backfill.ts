// For the backfill tests: a store a separate `townhall worker` process shares (a fresh
// PostgreSQL schema under DATABASE_URL, else PGlite in the worker's data folder), seeded with
// members, and `townhall <args>` run to its end.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Db } from '../../store/db.js';
import { openDb } from '../../store/db.js';
import { migrateToLatest } from '../../store/migrate.js';
import { openTestDb } from './db.js';
import { TEST_PAYLOAD_KEYS } from './payload-keys.js';

export interface SharedStore {
  db: Db;
  /** PostgreSQL: the URL for the worker. PGlite: undefined, and `close` before it starts. */
  url: string | undefined;
  close(): Promise<void>;
}

export async function openSharedStore(dataDir: string): Promise<SharedStore> {
  if (process.env.DATABASE_URL) return openTestDb();
  const { db } = await openDb({ pgliteDir: path.join(dataDir, 'pglite') });
  await migrateToLatest(db);
  return { db, url: undefined, close: () => db.destroy() };
}

/** `count` members with an email and a name; returns their ids. */
export async function seedMembers(db: Db, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1_000) {
    const rows = Array.from({ length: Math.min(1_000, count - start) }, (_, i) => ({
      email: `member-${start + i}@example.com`,
      name: `Member ${start + i}`,
    }));
    const inserted = await db.insertInto('members').values(rows).returning('id').execute();
    ids.push(...inserted.map((row) => row.id));
  }
  return ids;
}

const execFileAsync = promisify(execFile);

/** `townhall <args>` in its own process, to its end; rejects when it exits non-zero. */
export const townhallCommand = (args: string[], env: NodeJS.ProcessEnv) =>
  execFileAsync(process.execPath, ['bin/townhall.js', ...args], {
    env: { ...process.env, TOWNHALL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, ...env },
  });
