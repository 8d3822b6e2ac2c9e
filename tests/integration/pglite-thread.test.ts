// The embedded PGlite store on its own thread: statements no longer hold up the event loop,
// errors keep what the hub classifies them by, and a process that never closes its store exits.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../store/db.js';
import { openDb } from '../../store/db.js';

describe('PGlite on its own thread', () => {
  let db: Db;
  beforeAll(async () => {
    db = (await openDb({ pgliteDir: 'memory://' })).db;
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('keeps the event loop free while a long statement runs', async () => {
    // The longest gap between ticks of a 5 ms timer, read after one more tick has fired.
    let last = performance.now();
    let longestGapMs = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    const { rows } = await sql<{ total: string }>`
      select sum(i)::text as total from generate_series(1, 3000000) as i`.execute(db);
    const tookMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
    clearInterval(ticker);
    expect(rows[0]!.total).toBe('4500001500000');
    // On the event loop's own thread the timer would wait out the whole statement.
    expect(tookMs).toBeGreaterThan(150);
    expect(longestGapMs).toBeLessThan(tookMs / 3);
  });

  it('reports a failed statement with its SQLSTATE and severity, as PGlite does', async () => {
    const failure = await sql`select 1 / 0`.execute(db).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({
      message: 'division by zero',
      code: '22012',
      severity: 'ERROR',
    });
  });

  it('refuses a value it cannot send to the thread, at once, and goes on', async () => {
    // A function cannot cross to another thread (structured clone refuses it).
    const unsendable = sql`select ${{ f: () => 1 }}::text as f`.execute(db);
    expect(
      await unsendable.then(
        () => undefined,
        (error: unknown) => error,
      ),
    ).toBeInstanceOf(Error);
    expect((await sql<{ n: number }>`select ${5}::int as n`.execute(db)).rows).toEqual([{ n: 5 }]);
  });

  it('carries dates, JSON and bytes both ways', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const { rows } = await sql<{ at: Date; doc: unknown; bytes: Uint8Array }>`
      select ${at}::timestamptz as at, ${JSON.stringify({ a: [1, 'é'] })}::jsonb as doc,
             ${Buffer.from([0, 255, 7])}::bytea as bytes`.execute(db);
    expect(rows[0]!.at).toEqual(at);
    expect(rows[0]!.doc).toEqual({ a: [1, 'é'] });
    expect([...rows[0]!.bytes]).toEqual([0, 255, 7]);
  });

  it('runs a transaction as one session: a rollback leaves nothing', async () => {
    await sql`create table thread_probe (n int)`.execute(db);
    await db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into thread_probe values (1)`.execute(trx);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await sql`insert into thread_probe values (2)`.execute(db);
    const { rows } = await sql<{ n: number }>`select n from thread_probe`.execute(db);
    expect(rows).toEqual([{ n: 2 }]);
  });
});

describe('a process holding PGlite', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-pglite-thread-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let scripts = 0;
  const script = (body: string) => {
    const file = path.join(dir, `script-${scripts++}.mts`);
    writeFileSync(
      file,
      `import { openDb } from ${JSON.stringify(path.resolve('store/db.ts'))};
       const { db } = await openDb({ pgliteDir: ${JSON.stringify(path.join(dir, 'pglite'))} });
       ${body}`,
    );
    return promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      encoding: 'utf8',
      timeout: 50_000,
    });
  };

  it('exits without closing its store, and a clean close keeps what it wrote', async () => {
    const first = await script(`
      await db.schema.createTable('kept').addColumn('n', 'integer').execute();
      await db.destroy();
      console.log('written');`);
    expect(first.stdout.trim()).toBe('written');

    // execFile rejects on a non-zero exit, or past its timeout: a process the thread kept alive.
    const open = await script(`
      await db.insertInto('kept').values({ n: 41 }).execute();
      await db.destroy();
      const again = (await openDb({ pgliteDir: ${JSON.stringify(path.join(dir, 'pglite'))} })).db;
      // A value the thread cannot be sent is refused, and holds nothing open behind it.
      await again.selectFrom('kept').select('n').where('n', '=', { f: () => 1 }).execute()
        .then(() => console.log('sent'), () => console.log('refused'));
      const rows = await again.selectFrom('kept').select('n').execute();
      console.log(JSON.stringify(rows));`);
    // No destroy() after the last read: the thread must not keep the process alive.
    expect(open.stdout.trim().split('\n')).toEqual(['refused', '[{"n":41}]']);
    // Two children, each allowed 50 s on a loaded machine (tsx and PGlite start in each).
  }, 120_000);
});
