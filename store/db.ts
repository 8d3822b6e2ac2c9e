import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Transaction } from 'kysely';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { pglitePool } from './pglite-pool.js';
import { openPgliteThread } from './pglite-thread.js';
import { preparingPool } from './prepared-pool.js';

export type Db = Kysely<Database>;

/**
 * Runs `work` in a transaction: the caller's, when `db` already is one (so several steps of one
 * event commit together, once), else a new one.
 */
export function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>) {
  return db.isTransaction ? work(db as Transaction<Database>) : db.transaction().execute(work);
}

export interface DbOptions {
  /** postgres://… ; when absent the embedded PGlite database is used. */
  url?: string | undefined;
  /** Folder for PGlite's files; `memory://` keeps it in memory (tests). */
  pgliteDir?: string;
}

export const DEFAULT_PGLITE_DIR = path.resolve('.townhall', 'pglite');

export async function openDb(options: DbOptions): Promise<{ db: Db; kind: 'postgres' | 'pglite' }> {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: 10,
      connectionTimeoutMillis: 5_000,
    });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) }),
      kind: 'postgres',
    };
  }
  const dir = options.pgliteDir ?? DEFAULT_PGLITE_DIR;
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  const lite = await openPgliteThread(dir);
  return {
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: pglitePool(lite) }) }),
    kind: 'pglite',
  };
}
