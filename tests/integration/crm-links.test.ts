import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { linkPerson, linksOf, repointPerson, unlinkPerson } from '../../store/crm-links.js';
import { recordLinks } from '../../store/crm-records.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';

/** store/crm-links.ts: one CRM record per member and CRM, one member per record. */

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
beforeEach(async () => {
  await t.db.deleteFrom('crm_links').execute();
  await t.db.deleteFrom('members').execute();
});
afterAll(() => t?.close());

const member = async (name: string) =>
  (
    await t.db
      .insertInto('members')
      .values({ email: `${name}@example.com`, name })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

const personOf = async (memberId: string, crm = 'hubspot') =>
  (await linksOf(t.db, memberId)).find((link) => link.crm === crm)?.personId;

describe('crm links', () => {
  it('links a member to one record per CRM; linking again replaces it', async () => {
    const ada = await member('ada');
    await linkPerson(t.db, ada, 'hubspot', '1001');
    await linkPerson(t.db, ada, 'salesforce', '003A');
    expect(await linksOf(t.db, ada)).toEqual([
      { crm: 'hubspot', personId: '1001', syncedAt: expect.any(Date) },
      { crm: 'salesforce', personId: '003A', syncedAt: expect.any(Date) },
    ]);
    await linkPerson(t.db, ada, 'hubspot', '1002');
    await linkPerson(t.db, ada, 'hubspot', '1002');
    expect(await personOf(ada)).toBe('1002');
    expect(await linksOf(t.db, ada)).toHaveLength(2);
  });

  it('a record linked to another member moves to the one linked last', async () => {
    const [ada, grace] = [await member('ada'), await member('grace')];
    await linkPerson(t.db, ada, 'hubspot', '1001');
    await linkPerson(t.db, grace, 'hubspot', '1001');
    expect(await personOf(ada)).toBeUndefined();
    expect(await personOf(grace)).toBe('1001');
  });

  it('unlinks a deleted record: the member stays, other CRMs keep theirs', async () => {
    const ada = await member('ada');
    const longAgo = new Date('2020-01-01T00:00:00Z');
    await t.db
      .insertInto('member_stats')
      .values({
        member_id: ada,
        first_seen_at: longAgo,
        last_active_at: longAgo,
        changed_at: longAgo,
      })
      .execute();
    await linkPerson(t.db, ada, 'hubspot', '1001');
    await linkPerson(t.db, ada, 'salesforce', '1001');
    expect(await unlinkPerson(t.db, 'hubspot', '1001')).toEqual([ada]);
    // Marked changed, so the next incremental sync writes them again (a new record).
    const { changed_at } = await t.db
      .selectFrom('member_stats')
      .select('changed_at')
      .where('member_id', '=', ada)
      .executeTakeFirstOrThrow();
    expect(changed_at.getTime()).toBeGreaterThan(longAgo.getTime());
    expect(await unlinkPerson(t.db, 'hubspot', '1001')).toEqual([]);
    expect(await linksOf(t.db, ada)).toEqual([
      { crm: 'salesforce', personId: '1001', syncedAt: expect.any(Date) },
    ]);
    expect(await t.db.selectFrom('members').select('id').execute()).toEqual([{ id: ada }]);
  });

  it('re-points links from merged records to the one that remains', async () => {
    const ada = await member('ada');
    await linkPerson(t.db, ada, 'hubspot', '1002');
    expect(await repointPerson(t.db, 'hubspot', ['1002', '1003'], '1001')).toEqual({
      repointed: [ada],
      unlinked: [],
    });
    expect(await personOf(ada)).toBe('1001');
    // Again (a redelivered merge): nothing left to move.
    expect(await repointPerson(t.db, 'hubspot', ['1002', '1003'], '1001')).toEqual({
      repointed: [],
      unlinked: [],
    });
    expect(await personOf(ada)).toBe('1001');
    // Merges in another CRM leave this one alone.
    expect(await repointPerson(t.db, 'salesforce', ['1001'], '9')).toEqual({
      repointed: [],
      unlinked: [],
    });
  });

  it('two members on the merged records: the one on the remaining record keeps it', async () => {
    const [ada, grace, hedy] = [await member('ada'), await member('grace'), await member('hedy')];
    await linkPerson(t.db, ada, 'hubspot', '1001');
    await linkPerson(t.db, grace, 'hubspot', '1002');
    await linkPerson(t.db, hedy, 'hubspot', '2001');
    expect(await repointPerson(t.db, 'hubspot', ['1002'], '1001')).toEqual({
      repointed: [],
      unlinked: [grace],
    });
    expect(await personOf(ada)).toBe('1001');
    expect(await personOf(grace)).toBeUndefined();
    expect(await personOf(hedy)).toBe('2001');
  });

  it('neither on the remaining record: the member synced last gets it, the other loses theirs', async () => {
    const [ada, grace] = [await member('ada'), await member('grace')];
    await linkPerson(t.db, ada, 'hubspot', '1002');
    await linkPerson(t.db, grace, 'hubspot', '1003');
    await t.db
      .updateTable('crm_links')
      .set({ synced_at: new Date(Date.now() - 60_000) })
      .where('member_id', '=', ada)
      .execute();
    expect(await repointPerson(t.db, 'hubspot', ['1002', '1003'], '1001')).toEqual({
      repointed: [grace],
      unlinked: [ada],
    });
    expect(await personOf(grace)).toBe('1001');
    expect(await personOf(ada)).toBeUndefined();
  });

  it('links go with their member', async () => {
    const ada = await member('ada');
    await linkPerson(t.db, ada, 'hubspot', '1001');
    await t.db.deleteFrom('members').where('id', '=', ada).execute();
    expect(await linksOf(t.db, ada)).toEqual([]);
    expect(await unlinkPerson(t.db, 'hubspot', '1001')).toEqual([]);
  });

  it("a page's links: each member's record, a re-used record moved, an erased member skipped", async () => {
    const [ada, bo, cy] = [await member('ada'), await member('bo'), await member('cy')];
    await linkPerson(t.db, cy, 'salesforce', '003B');
    const erased = await member('erased');
    await t.db.deleteFrom('members').where('id', '=', erased).execute();
    await recordLinks(t.db, 'salesforce', [
      { memberId: ada, personId: '003A' },
      { memberId: bo, personId: '003B' },
      { memberId: erased, personId: '003E' },
    ]);
    expect([await personOf(ada, 'salesforce'), await personOf(bo, 'salesforce')]).toEqual([
      '003A',
      '003B',
    ]);
    expect(await personOf(cy, 'salesforce')).toBeUndefined();
    expect(await unlinkPerson(t.db, 'salesforce', '003E')).toEqual([]);
  });
});
