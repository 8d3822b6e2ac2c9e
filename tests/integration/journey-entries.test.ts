// An inactivity scan's page (activities/journey-entries.ts) against the real store and Temporal:
// who went quiet is recorded and their runs started with the client, once per lapse however
// often the page is tried. The runs go to a task queue nobody polls, so they stay as started.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createJourneyEntryActivities } from '../../activities/journey-entries.js';
import type { EntryPage } from '../../activities/journey-entries.js';
import { createLogger } from '../../runtime/logger.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import { recordJourneyRun } from '../../store/journey-runs.js';
import { journeyWorkflowId } from '../../workflows/journey/types.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { act } from '../support/members.js';

const logger = createLogger('test');
logger.level = 'silent';
let t: TestDb;
const client = () => createTemporalClient(inject('temporalAddress'), 'default');
// A store of its own for each test: every lapsed member in it is found for any journey.
beforeEach(async () => {
  t = await openTestDb();
});
afterEach(() => t?.close());

/** A journey of its own, with `count` members who posted 40 days ago and nothing since. */
async function lapsedJourney(count: number) {
  const journey = `drip-${randomBytes(4).toString('hex')}`;
  const members: string[] = [];
  for (let i = 0; i < count; i++)
    members.push(
      await act(
        t.db,
        { platform: 'slack', userId: `U${journey}${i}`, email: `${journey}-${i}@example.com` },
        [{ type: 'message.posted', daysAgo: 40 }],
      ),
    );
  const page = (enteredAt: string): EntryPage => ({
    journey,
    inactiveMs: 30 * 86_400_000,
    oncePerMs: 60 * 86_400_000,
    limit: 100,
    enteredAt,
    template: { journey, steps: [], exitWhen: ['message.posted'] },
    taskQueue: `nobody-polls-${journey}`,
    memo: { journey, journeyHash: 'h' },
  });
  const runsOf = async () =>
    (
      await t.db.selectFrom('journey_runs').selectAll().where('journey', '=', journey).execute()
    ).sort((a, b) => a.member_id.localeCompare(b.member_id));
  return { journey, members: members.sort(), page, runsOf };
}

const entries = () =>
  createJourneyEntryActivities({
    db: t.db,
    logger,
    publicUrl: 'http://127.0.0.1',
    temporal: client(),
  });

describe('enterLapsedMembers', () => {
  it('records each lapsed member and starts their run with the client', async () => {
    const { journey, members, page, runsOf } = await lapsedJourney(2);
    const enteredAt = new Date().toISOString();
    expect(await entries().enterLapsedMembers(page(enteredAt))).toEqual({
      entered: 2,
      lastId: members[1],
      more: false,
    });
    const runs = await runsOf();
    expect(runs.map((r) => [r.member_id, new Date(r.entered_at).toISOString()])).toEqual(
      members.map((m) => [m, enteredAt]),
    );
    for (const run of runs) {
      const described = await client().workflow.getHandle(run.workflow_id).describe();
      expect(described.type).toBe('journey');
      expect(described.taskQueue).toBe(`nobody-polls-${journey}`);
      expect(described.memo).toEqual({ journey, journeyHash: 'h' });
    }
  });

  it('a retried attempt at the same page starts nothing more', async () => {
    const { page, runsOf } = await lapsedJourney(2);
    const enteredAt = new Date().toISOString();
    await entries().enterLapsedMembers(page(enteredAt));
    const runIds = async () =>
      Promise.all(
        (await runsOf()).map(
          async (r) => (await client().workflow.getHandle(r.workflow_id).describe()).runId,
        ),
      );
    const before = await runIds();
    // The same input (a retry after the attempt's result was lost): both found again, no start.
    expect(await entries().enterLapsedMembers(page(enteredAt))).toMatchObject({ entered: 0 });
    expect(await runIds()).toEqual(before);
    // A later scan does not find them: they entered this lapse.
    expect(
      await entries().enterLapsedMembers(page(new Date(Date.now() + 1).toISOString())),
    ).toEqual({ entered: 0, lastId: undefined, more: false });
  });

  it('starts the runs an attempt recorded and died before starting', async () => {
    const { journey, members, page, runsOf } = await lapsedJourney(2);
    const enteredAt = new Date().toISOString();
    // What the attempt left: both recorded at the page's moment under their lapse's run id, no
    // run started.
    const lapses = await t.db
      .selectFrom('member_stats')
      .select(['member_id', 'last_active_at'])
      .where('member_id', 'in', members)
      .execute();
    const runIdOf = (member: string) => {
      const at = lapses.find((l) => l.member_id === member)!.last_active_at!;
      return journeyWorkflowId(journey, member, `lapse-${new Date(at).getTime()}`);
    };
    for (const member of members)
      await recordJourneyRun(t.db, {
        workflowId: runIdOf(member),
        journey,
        memberId: member,
        exitWhen: ['message.posted'],
        awaits: [],
        enteredAt: new Date(enteredAt),
      });
    // Another scan, at another moment, is kept out by those records...
    expect(
      await entries().enterLapsedMembers(page(new Date(Date.now() + 5).toISOString())),
    ).toMatchObject({ entered: 0 });
    // ...the retry of that page is not, and starts both.
    expect(await entries().enterLapsedMembers(page(enteredAt))).toMatchObject({ entered: 2 });
    const runs = await runsOf();
    expect(runs.map((r) => [r.member_id, r.workflow_id])).toEqual(
      members.map((m) => [m, runIdOf(m)]),
    );
    for (const run of runs)
      expect((await client().workflow.getHandle(run.workflow_id).describe()).status.name).toBe(
        'RUNNING',
      );
  });
});
