import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../../store/db.js';
import { openDb } from '../../store/db.js';
import { migrateToLatest } from '../../store/migrate.js';

export interface TestDb {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** PostgreSQL only: a URL other processes can use to reach this same schema. */
  url: string | undefined;
  close(): Promise<void>;
}

/**
 * A migrated, empty database for one test file: a fresh schema on the PostgreSQL server named by
 * DATABASE_URL (as CI runs), or an in-memory PGlite when it is unset. `migrate: false` leaves it
 * bare, for tests of the migrations themselves.
 */
export async function openTestDb({ migrate = true } = {}): Promise<TestDb> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const { db, kind } = await openDb({ pgliteDir: 'memory://' });
    if (migrate) await migrateToLatest(db);
    return { db, kind, url: undefined, close: () => db.destroy() };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  const { db, kind } = await openDb({ url: scoped.toString() });
  if (migrate) await migrateToLatest(db);
  return {
    db,
    kind,
    url: scoped.toString(),
    async close() {
      await db.destroy();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    },
  };
}
