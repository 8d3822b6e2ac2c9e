// The store queries behind inactivity scans and caps, on real PostgreSQL (or PGlite).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lapsedMembers } from '../../store/lapsed-members.js';
import { recordJourneyRun } from '../../store/journey-runs.js';
import { takeSendSlot } from '../../store/send-slots.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { act } from '../support/members.js';

const DAY = 86_400_000;
let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => {
  await t?.close();
});

describe('the inactivity scan query', () => {
  it('finds a lapse once per entry rule: once never again, once_per after its period', async () => {
    const quiet = await act(t.db, { platform: 'slack', userId: 'UQ', email: 'q@example.com' }, [
      { type: 'message.posted', daysAgo: 40 },
    ]);
    const joinedOnly = await act(t.db, { platform: 'slack', userId: 'UJ' }, [
      { type: 'member.joined', daysAgo: 40 },
    ]);
    const lapsed = (query: { enteredEver?: boolean; enteredSince?: Date }) =>
      lapsedMembers(t.db, {
        journey: 'drip',
        cutoff: new Date(Date.now() - 30 * DAY),
        limit: 10,
        ...query,
      }).then((rows) => rows.map((row) => row.memberId));

    expect(await lapsed({})).toEqual([quiet]);
    expect(await lapsed({})).not.toContain(joinedOnly);
    // An entry 50 days ago, before this lapse began (the post 40 days ago).
    await recordJourneyRun(t.db, {
      workflowId: `journey:drip:${quiet}`,
      journey: 'drip',
      memberId: quiet,
      exitWhen: [],
      awaits: [],
      enteredAt: new Date(Date.now() - 50 * DAY),
    });
    // The lapse is new: every_time finds it; once_per 90d does not; once never again.
    expect(await lapsed({})).toEqual([quiet]);
    expect(await lapsed({ enteredSince: new Date(Date.now() - 90 * DAY) })).toEqual([]);
    expect(await lapsed({ enteredSince: new Date(Date.now() - 30 * DAY) })).toEqual([quiet]);
    expect(await lapsed({ enteredEver: true })).toEqual([]);
  });
});

describe('send slots under a cap', () => {
  it('gives the last slot once among concurrent journeys, and says when the next frees up', async () => {
    const member = await act(t.db, { platform: 'slack', userId: 'US', email: 's@example.com' }, [
      { type: 'message.posted', daysAgo: 1 },
    ]);
    const now = new Date();
    const ask = (stepKey: string, at = now) =>
      takeSendSlot(t.db, {
        stepKey,
        memberId: member,
        channel: 'email',
        limit: 3,
        periodMs: DAY,
        now: at,
      });
    await ask('run-a/steps[0]#1', new Date(now.getTime() - 10_000));
    await ask('run-b/steps[0]#1', new Date(now.getTime() - 5_000));
    // Another journey is taking the third slot right now, its transaction still open: this ask
    // waits for it (the member's lock) and then finds the member at the cap. Without the lock it
    // would not see the uncommitted slot and take a fourth.
    let locked!: () => void;
    let release!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const other = t.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`send-slot:${member}:email`}))`.execute(
        trx,
      );
      await trx
        .insertInto('send_slots')
        .values({
          step_key: 'run-c/steps[0]#1',
          member_id: member,
          channel: 'email',
          taken_at: now,
        })
        .execute();
      locked();
      await released;
    });
    await lockTaken;
    const asked = ask('run-d/steps[0]#1');
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    await other;
    const refused = await asked;
    // The oldest of the three ages out a day after it was taken.
    expect(refused).toEqual({ taken: false, retryInMs: DAY - 10_000 });
    // A retry of a step that holds a slot keeps it.
    expect(await ask('run-a/steps[0]#1')).toEqual({ taken: true });
    // Other channels have caps of their own.
    expect(
      await takeSendSlot(t.db, {
        stepKey: 'run-h/steps[1]#1',
        memberId: member,
        channel: 'dm',
        limit: 3,
        periodMs: DAY,
      }),
    ).toEqual({ taken: true });
  });
});
