import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../store/db.js';
import { migrateToLatest } from '../../store/migrate.js';
import { openTestDb } from '../support/db.js';

const store = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';

describe(`a migration that cannot run says which, where and why (${store})`, () => {
  it('names the failed migration, the schema and the database error, and applies nothing', async () => {
    const t = await openTestDb({ migrate: false });
    try {
      // A table of that name is already there, not the one the first migration makes.
      await sql`create table members (id integer primary key)`.execute(t.db);
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
        t.db,
      );
      const error = await migrateToLatest(t.db).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(
        `database migration 0001-initial failed in schema ${rows[0]!.schema}: relation "members" already exists`,
      );
      // The failed migration's transaction rolled back: none is recorded as applied.
      const applied = await sql<{ n: string }>`select count(*) as n from kysely_migration`.execute(
        t.db,
      );
      expect(Number(applied.rows[0]!.n)).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('refuses a search_path none of whose schemas exists, before Kysely looks in every schema', async () => {
    const missing = `t_missing_${randomBytes(4).toString('hex')}`;
    const url = process.env.DATABASE_URL;
    const scoped = url ? new URL(url) : undefined;
    scoped?.searchParams.set('options', `-c search_path=${missing}`);
    const { db } = await openDb(scoped ? { url: scoped.toString() } : { pgliteDir: 'memory://' });
    try {
      // PGlite is one session: setting it once holds for every statement after.
      if (!scoped) await sql.raw(`set search_path to ${missing}`).execute(db);
      await expect(migrateToLatest(db)).rejects.toThrow(
        "database migration failed: no schema on the connection's search_path exists; create it or fix search_path",
      );
    } finally {
      await db.destroy();
    }
  });
});
