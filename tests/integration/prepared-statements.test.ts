// A statement with parameters that runs again is prepared once per session (store/prepared-pool.ts
// for PostgreSQL, store/pglite-prepared.mjs for PGlite, both named by store/statement-names.ts):
// the store's CPU per event goes to running its statements, not to parsing and planning them.
// Both stores, whatever DATABASE_URL says: PGlite always, PostgreSQL where there is one.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../store/db.js';
import { openDb } from '../../store/db.js';

const failure = (query: Promise<unknown>) =>
  query.then(
    () => undefined,
    (error: unknown) => error,
  );

/** The store's statements in `session`, as pg_prepared_statements lists them. */
async function preparedIn(session: Db, containing: string) {
  const { rows } = await sql<{ statement: string }>`
    select statement from pg_prepared_statements`.execute(session);
  return rows.filter((row) => row.statement.includes(containing));
}

const stores = process.env.DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

describe.each(stores)('prepared statements (%s)', (kind) => {
  let db: Db;
  let dropSchema = async () => {};
  beforeAll(async () => {
    if (kind === 'pglite') {
      db = (await openDb({ pgliteDir: 'memory://' })).db;
      return;
    }
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const scoped = new URL(process.env.DATABASE_URL!);
    scoped.searchParams.set('options', `-c search_path=${schema}`);
    db = (await openDb({ url: scoped.toString() })).db;
    dropSchema = async () => {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    };
  });
  afterAll(async () => {
    await db.destroy();
    await dropSchema();
  });

  it('prepares a statement that runs again, once per session, binding each run its values', async () => {
    // One pinned connection: a session, whose prepared statements pg_prepared_statements lists.
    await db.connection().execute(async (session) => {
      const doubled = async (n: number | null) =>
        (
          await sql<{ doubled: number | null; tags: number }>`
            select ${n}::int * 2 as doubled, cardinality(${['a', 'b']}::text[]) as tags`.execute(
            session,
          )
        ).rows[0]!;
      expect(await doubled(1)).toEqual({ doubled: 2, tags: 2 });
      // Run once: not named, so a one-off statement never holds a plan.
      expect(await preparedIn(session, '* 2 as doubled')).toHaveLength(0);
      expect([await doubled(2), await doubled(null), await doubled(4)]).toEqual([
        { doubled: 4, tags: 2 },
        { doubled: null, tags: 2 },
        { doubled: 8, tags: 2 },
      ]);
      expect(await preparedIn(session, '* 2 as doubled')).toHaveLength(1);
    });
  });

  it('reports a statement that fails to parse or to run, and runs the next', async () => {
    for (let run = 0; run < 2; run++) {
      expect(await failure(sql`select ${1}::int frm nowhere`.execute(db))).toMatchObject({
        code: '42601',
      });
      expect(await failure(sql`select 1 / ${0}::int as n`.execute(db))).toMatchObject({
        code: '22012',
      });
    }
    const { rows } = await sql<{ n: number }>`select 1 / ${1}::int as n`.execute(db);
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('a value the client cannot send leaves the statement working for the next', async () => {
    await db.connection().execute(async (session) => {
      const echo = (value: unknown) =>
        sql<{ doc: unknown }>`select ${value}::jsonb as doc`.execute(session);
      await echo(JSON.stringify({ run: 1 }));
      await echo(JSON.stringify({ run: 2 }));
      expect(await preparedIn(session, '::jsonb as doc')).toHaveLength(1);
      // JSON.stringify refuses a circular value: the client fails before the server binds it.
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect(await failure(echo(circular))).toMatchObject({ name: 'TypeError' });
      expect((await echo(JSON.stringify({ run: 3 }))).rows).toEqual([{ doc: { run: 3 } }]);
    });
  });

  it('a table altered under a prepared statement fails it once, then it is prepared afresh', async () => {
    await db.connection().execute(async (session) => {
      await sql`create table altered_probe (a int, b int)`.execute(session);
      await sql`insert into altered_probe values (1, 2)`.execute(session);
      const read = () => sql`select * from altered_probe where a = ${1}`.execute(session);
      expect((await read()).rows).toEqual([{ a: 1, b: 2 }]);
      expect((await read()).rows).toEqual([{ a: 1, b: 2 }]);
      // Another version's migration, say: the statement's result columns change.
      await sql`alter table altered_probe add column c int default 3`.execute(session);
      expect(await failure(read())).toMatchObject({ code: '0A000' });
      expect((await read()).rows).toEqual([{ a: 1, b: 2, c: 3 }]);
    });
  });
});
