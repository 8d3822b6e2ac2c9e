// The classifier (server/event-failures.ts) over real errors: PostgreSQL's and PGlite's from bad
// SQL and refused values, Temporal's from an unreachable server, a real server and an input that
// cannot be serialized, zod's from a bad event. Nothing here is a hand-made error object.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { communityEvent } from '../../connectors/events.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import { classifyFailure } from '../../server/event-failures.js';
import type { Db } from '../../store/db.js';
import { openDb } from '../../store/db.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { freePort } from '../support/ports.js';

let t: TestDb;
let lite: Db;

/** The error a promise rejects with; fails the test if it resolves. */
async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to fail');
}

/** A client of its own (not the pool): some errors end their connection. */
async function client(): Promise<pg.Client> {
  const connection = new pg.Client({ connectionString: t.url ?? process.env.DATABASE_URL });
  await connection.connect();
  connection.on('error', () => undefined);
  return connection;
}

beforeAll(async () => {
  t = await openTestDb();
  lite = (await openDb({ pgliteDir: 'memory://' })).db;
  for (const db of [t.db, lite]) {
    await sql`create table things (id integer primary key, n integer not null, note text)`.execute(
      db,
    );
    await sql`insert into things values (1, 1, null), (2, 2, null)`.execute(db);
  }
});
afterAll(async () => {
  await lite.destroy();
  await t.close();
});

describe('store errors, by SQLSTATE', () => {
  const refused = [
    // A lone UTF-16 surrogate: JSON.stringify escapes it, and jsonb refuses the escape.
    [
      'a lone surrogate in jsonb',
      () => sql`select ${JSON.stringify({ name: 'Ada \ud800' })}::jsonb`,
      '22P02',
    ],
    ['a NUL in text', () => sql`select ${'Ada\u0000'}::text`, '22021'],
    ['an integer out of range', () => sql`update things set n = ${2 ** 40} where id = 1`, '22003'],
    ['a missing value', () => sql`insert into things (id, n) values (3, null)`, '23502'],
  ] as const;
  for (const [what, query, code] of refused)
    it(`${what} is poison (${code}), on PostgreSQL and on PGlite`, async () => {
      for (const db of [t.db, lite]) {
        const failure = classifyFailure(await failureOf(() => query().execute(db)));
        expect(failure).toMatchObject({ kind: 'poison', code: `sqlstate:${code}` });
        expect(failure.reason).toContain(`SQLSTATE ${code}`);
      }
    });

  it('never repeats the refused value or an address in the reason', async () => {
    const error = await failureOf(() => sql`select ${'grace@example.com'}::uuid`.execute(t.db));
    expect((error as Error).message).toContain('grace@example.com');
    const failure = classifyFailure(error);
    expect(failure).toMatchObject({ kind: 'poison', code: 'sqlstate:22P02' });
    expect(failure.reason).not.toContain('grace');
  });

  it('a unique violation (a concurrent writer) is counted, not quarantined at once', async () => {
    const error = await failureOf(() => sql`insert into things values (1, 1, null)`.execute(t.db));
    expect(classifyFailure(error)).toMatchObject({ kind: 'unknown', code: 'sqlstate:23505' });
  });

  it('a missing column (code ahead of its migration) is not the event’s fault', async () => {
    for (const db of [t.db, lite]) {
      const error = await failureOf(() => sql`select missing_column from things`.execute(db));
      expect(classifyFailure(error)).toMatchObject({ kind: 'unknown', code: 'sqlstate:42703' });
    }
  });

  // Two sessions of one PostgreSQL server: PGlite is a single session.
  it.runIf(process.env.DATABASE_URL)(
    'a lock not granted in time, a statement timeout and a deadlock are outages',
    async () => {
      const holder = await client();
      const waiter = await client();
      try {
        await holder.query('begin');
        await holder.query('lock table things in access exclusive mode');
        await waiter.query("set lock_timeout = '200ms'");
        const locked = classifyFailure(await failureOf(() => waiter.query('select * from things')));
        expect(locked).toMatchObject({ kind: 'outage', code: 'sqlstate:55P03' });
        await holder.query('rollback');

        await waiter.query("set statement_timeout = '100ms'");
        const slow = classifyFailure(await failureOf(() => waiter.query('select pg_sleep(2)')));
        expect(slow).toMatchObject({ kind: 'outage', code: 'sqlstate:57014' });
        await waiter.query('set statement_timeout = 0');
        await waiter.query('set lock_timeout = 0');

        // Each holds one row and asks for the other's: PostgreSQL ends one of them.
        await holder.query('begin');
        await waiter.query('begin');
        await holder.query('update things set n = n where id = 1');
        await waiter.query('update things set n = n where id = 2');
        const outcomes = await Promise.allSettled([
          holder.query('update things set n = n where id = 2'),
          waiter.query('update things set n = n where id = 1'),
        ]);
        const loser = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
        expect(classifyFailure(loser.reason)).toMatchObject({
          kind: 'outage',
          code: 'sqlstate:40P01',
        });
      } finally {
        await holder.query('rollback').catch(() => undefined);
        await waiter.query('rollback').catch(() => undefined);
        await holder.end();
        await waiter.end();
      }
    },
  );

  // Two sessions of one PostgreSQL server: PGlite is a single session.
  it.runIf(process.env.DATABASE_URL)(
    'a connection the server ends (admin shutdown) is an outage',
    async () => {
      const victim = await client();
      const error = await failureOf(() =>
        victim.query('select pg_terminate_backend(pg_backend_pid())'),
      );
      expect(classifyFailure(error)).toMatchObject({ kind: 'outage', code: 'sqlstate:57P01' });
      await victim.end().catch(() => undefined);
    },
  );

  it('a store nobody listens on is an outage', async () => {
    const { db } = await openDb({ url: `postgres://nobody@127.0.0.1:${await freePort()}/none` });
    try {
      const failure = classifyFailure(await failureOf(() => sql`select 1`.execute(db)));
      expect(failure).toMatchObject({ kind: 'outage', code: 'system:ECONNREFUSED' });
    } finally {
      await db.destroy();
    }
  });
});

describe('Temporal errors', () => {
  it('an unreachable server is an outage', async () => {
    const down = createTemporalClient(`127.0.0.1:${await freePort()}`, 'default');
    try {
      const error = await failureOf(() =>
        down.connection.withDeadline(Date.now() + 500, () =>
          down.workflow.start('anything', { taskQueue: 'q', workflowId: 'w', args: [{}] }),
        ),
      );
      expect(classifyFailure(error)).toMatchObject({
        kind: 'outage',
        code: 'temporal:DEADLINE_EXCEEDED',
      });
    } finally {
      await down.connection.close();
    }
  });

  it('a workflow input that cannot be serialized is poison', async () => {
    const down = createTemporalClient(`127.0.0.1:${await freePort()}`, 'default');
    try {
      const error = await failureOf(() =>
        down.workflow.start('anything', { taskQueue: 'q', workflowId: 'w', args: [{ n: 1n }] }),
      );
      expect(classifyFailure(error)).toMatchObject({ kind: 'poison', code: 'temporal:payload' });
    } finally {
      await down.connection.close();
    }
  });

  it('a request the server refuses as it is (an id over its limit) is poison', async () => {
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    const temporal = new Client({ connection, namespace: 'default' });
    try {
      const error = await failureOf(() =>
        temporal.workflow.start('anything', {
          taskQueue: `event-failures-${randomBytes(4).toString('hex')}`,
          workflowId: 'x'.repeat(5_000),
          args: [],
        }),
      );
      expect(classifyFailure(error)).toMatchObject({
        kind: 'poison',
        code: 'temporal:INVALID_ARGUMENT',
      });
    } finally {
      await connection.close();
    }
  });
});

describe('other errors', () => {
  it('an event that fails its own schema is poison, and the reason names paths, not values', () => {
    const result = communityEvent.safeParse({
      type: 'member.joined',
      eventId: 'e1',
      platform: 'x',
      occurredAt: 'yesterday',
      member: { userId: 'U1', communityId: 'T1', email: 'not-an-address grace' },
    });
    expect(result.success).toBe(false);
    const failure = classifyFailure(result.error);
    expect(failure).toMatchObject({ kind: 'poison', code: 'schema' });
    expect(failure.reason).toContain('member.email');
    expect(failure.reason).not.toContain('grace');
  });

  it('a bug is unknown, and its message is masked', () => {
    let error: unknown;
    try {
      // A real TypeError from a plain bug: reducing an empty list without a start value.
      const none: number[] = [];
      none.reduce((sum, n) => sum + n);
    } catch (caught) {
      error = caught;
    }
    expect(classifyFailure(error)).toMatchObject({ kind: 'unknown', code: 'error:TypeError' });
    const mailed = classifyFailure(new Error('no member ada@example.com'));
    expect(mailed.reason).toBe('Error: no member [email]');
  });
});
