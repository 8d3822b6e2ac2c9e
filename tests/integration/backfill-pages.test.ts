// A backfill's pages as ranges of member ids (store/backfill-pages.ts), on PGlite and, where
// DATABASE_URL names one, PostgreSQL: the ends the database numbers, and the members each range
// holds when its push reads it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { membersThrough, pageEnds } from '../../store/backfill-pages.js';
import type { Db } from '../../store/db.js';
import { openDb } from '../../store/db.js';
import { migrateToLatest } from '../../store/migrate.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';

const backends: { name: string; open: () => Promise<{ db: Db; close(): Promise<unknown> }> }[] = [
  {
    name: 'PGlite',
    async open() {
      const { db } = await openDb({ pgliteDir: 'memory://' });
      await migrateToLatest(db);
      return { db, close: () => db.destroy() };
    },
  },
  ...(process.env.DATABASE_URL
    ? [{ name: 'PostgreSQL', open: (): Promise<TestDb> => openTestDb() }]
    : []),
];

/** Member ids in order: even numbers seeded, so an odd one falls between two of them. */
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Every page's members, read range by range as pushes do. */
async function readAll(db: Db, afterId: string | undefined, ends: string[]) {
  const pages: string[][] = [];
  for (const end of ends) {
    pages.push(await membersThrough(db, afterId, end));
    afterId = end;
  }
  return pages;
}

describe.each(backends)('backfill pages ($name)', ({ open }) => {
  let db: Db;
  let opened: { db: Db; close(): Promise<unknown> };
  /** The members a backfill writes, in id order: 23 seeded, one of them merged into another. */
  let ids: string[];
  beforeAll(async () => {
    opened = await open();
    db = opened.db;
    const seeded = Array.from({ length: 24 }, (_, i) => uuid(2 * i + 2));
    await db
      .insertInto('members')
      .values(seeded.map((id, i) => ({ id, email: `member-${i}@example.com` })))
      .execute();
    const [kept, merged] = [seeded[0]!, seeded[7]!];
    await db.updateTable('members').set({ merged_into: kept }).where('id', '=', merged).execute();
    ids = seeded.filter((id) => id !== merged);
  });
  afterAll(() => opened.close());

  it('hands out every size-th id and the last, and says when nothing is left', async () => {
    const first = await pageEnds(db, undefined, 5, 3);
    expect(first).toEqual({ ends: [ids[4], ids[9], ids[14]], complete: false });
    const rest = await pageEnds(db, first.ends.at(-1), 5, 3);
    expect(rest).toEqual({ ends: [ids[19], ids[22]], complete: true });
    // The ranges hold every member once, in pages of five and a short last one; the merged one
    // in none.
    const pages = await readAll(db, undefined, [...first.ends, ...rest.ends]);
    expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flat()).toEqual(ids);
  });

  it('knows a read that ends exactly at its last page is the last', async () => {
    // 23 members in pages of 23: one page, and nothing after it, without a read that finds none.
    expect(await pageEnds(db, undefined, 23, 1)).toEqual({ ends: [ids[22]], complete: true });
    expect(await pageEnds(db, undefined, 11, 2)).toEqual({
      ends: [ids[10], ids[21]],
      complete: false,
    });
    expect(await pageEnds(db, ids[22], 5, 3)).toEqual({ ends: [], complete: true });
  });

  it('gives a push the members in its range as they are when it reads them', async () => {
    const { ends } = await pageEnds(db, undefined, 5, 1);
    expect(ends).toEqual([ids[4]]);
    const range = await membersThrough(db, undefined, ends[0]!);
    expect(range).toEqual(ids.slice(0, 5));
    // Members whose ids fall inside the range after its ends were read are in it; one just past
    // its end is the next range's.
    const late = [uuid(3), uuid(Number(ids[4]!.slice(-12)) + 1)];
    await db
      .insertInto('members')
      .values(late.map((id, i) => ({ id, email: `late-${i}@example.com` })))
      .execute();
    expect(await membersThrough(db, undefined, ends[0]!)).toEqual([...range, late[0]].sort());
    expect(await membersThrough(db, ends[0], ids[5]!)).toEqual([late[1], ids[5]]);
    expect(await membersThrough(db, ends[0], ends[0]!)).toEqual([]);
  });
});
