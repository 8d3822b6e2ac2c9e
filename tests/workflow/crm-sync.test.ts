// The CRM sync and backfill workflows with stub activities: which pages go out, on which queue,
// when the watermark moves, and what the progress query says. The real store and CRMs are in
// tests/integration/crm-*.test.ts.
import { randomBytes } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import { backfillProgress, crmBackfill } from '../../workflows/crm-backfill/workflow.js';
import { crmSync } from '../../workflows/crm-sync/workflow.js';
import { recordHistory } from '../support/replay.js';
import { startTestWorker } from '../support/worker.js';

const taskQueue = `crm-sync-tier-${randomBytes(4).toString('hex')}`;
const bulkQueue = `${taskQueue}@crm-test/bulk`;
const memberIds = (count: number) =>
  Array.from({ length: count }, (_, i) => `m-${String(i).padStart(5, '0')}`);
let members = memberIds(23);
/** At or above it, the backfill writes bulk jobs (null: the CRM has no bulk API). */
let bulkThreshold: number | null = null;

/** The stub store: a watermark over `members` in order, and what was pushed where. */
let watermark = -1;
const pushes: { queue: string; memberIds: string[]; bulk: boolean }[] = [];
const runs: { written: number; failed: number }[] = [];
let refuse = new Set<string>();
let inFlight = 0;
let mostInFlight = 0;
/** The backfill's reads: its plan, and its page ends after the first run's. */
let plans = 0;
let pageReads = 0;
/** How long a stub push takes. */
let pushMs = 100;

/** store/backfill-pages.ts over `members` (its own test: tests/integration/backfill-pages.test.ts). */
const endsAfter = (afterId: string | undefined, size: number, pages: number) => {
  const start = afterId ? members.indexOf(afterId) + 1 : 0;
  const next = members.slice(start, start + size * pages);
  const ends = next.filter((_, i) => (i + 1) % size === 0 || i === next.length - 1);
  return { ends, complete: start + size * pages >= members.length };
};

const activities = {
  prepareCrm: () => Promise.resolve(),
  crmLimits: () => Promise.resolve({ batchLimit: 100, bulkThreshold }),
  countSyncableMembers: () => Promise.resolve(members.length),
  nextChangedMembers: ({ limit }: { limit: number }) => {
    const memberIds = members.slice(watermark + 1, watermark + 1 + limit);
    const last = memberIds.at(-1);
    return Promise.resolve({ memberIds, last: last && { at: last, memberId: last } });
  },
  advanceSyncWatermark: ({ to }: { to: { memberId: string } }) => {
    watermark = members.indexOf(to.memberId);
    return Promise.resolve();
  },
  finishSyncRun: (run: { written: number; failed: number }) => {
    runs.push({ written: run.written, failed: run.failed });
    return Promise.resolve();
  },
  memberPage: ({ afterId, limit }: { afterId?: string; limit: number }) => {
    const start = afterId ? members.indexOf(afterId) + 1 : 0;
    return Promise.resolve(members.slice(start, start + limit));
  },
  planBackfill: (input: {
    batchSize?: number;
    bulkPage: number;
    pagesPerRun: { batches: number; bulkJobs: number };
  }) => {
    plans += 1;
    const bulk = bulkThreshold !== null && members.length >= bulkThreshold;
    const batchSize = Math.min(input.batchSize ?? 100, 100);
    const first = bulk
      ? endsAfter(undefined, input.bulkPage, input.pagesPerRun.bulkJobs)
      : endsAfter(undefined, batchSize, input.pagesPerRun.batches);
    return Promise.resolve({ total: members.length, bulk, batchSize, first });
  },
  backfillPageEnds: ({
    afterId,
    size,
    pages,
  }: {
    afterId?: string;
    size: number;
    pages: number;
  }) => {
    pageReads += 1;
    return Promise.resolve(endsAfter(afterId, size, pages));
  },
  pushMemberRange: ({
    afterId,
    throughId,
    bulk,
  }: {
    afterId?: string;
    throughId: string;
    bulk: boolean;
  }) =>
    activities.pushMembers({
      memberIds: members.filter((id) => (!afterId || id > afterId) && id <= throughId),
      bulk,
    }),
  pushMembers: async ({ memberIds, bulk }: { memberIds: string[]; bulk?: boolean }) => {
    pushes.push({ queue: activityInfo().taskQueue, memberIds, bulk: bulk ?? false });
    inFlight += 1;
    mostInFlight = Math.max(mostInFlight, inFlight);
    // Pushes take a while (the CRM's pace): the backfill keeps others going meanwhile.
    await new Promise((resolve) => setTimeout(resolve, pushMs));
    inFlight -= 1;
    const failed = memberIds.filter((id) => refuse.has(id)).length;
    return { written: memberIds.length - failed, failed };
  },
};

/** The sync's one activity a page, over the same stub store and push (and on its queue). */
const syncChangedPage = async ({
  batchSize,
  total,
}: {
  batchSize?: number;
  total: { written: number; failed: number };
}) => {
  const limit = Math.min(batchSize ?? 100, 100);
  const memberIds = members.slice(watermark + 1, watermark + 1 + limit);
  const pushed =
    memberIds.length > 0 ? await activities.pushMembers({ memberIds }) : { written: 0, failed: 0 };
  if (memberIds.length > 0) watermark = members.indexOf(memberIds.at(-1)!);
  const more = memberIds.length === limit;
  if (!more)
    runs.push({ written: total.written + pushed.written, failed: total.failed + pushed.failed });
  return { ...pushed, more };
};

let worker: RunningWorker;
beforeAll(async () => {
  worker = await startTestWorker({
    taskQueue,
    activities: { ...activities, syncChangedPage },
    vendorQueues: [
      { connector: 'crm-test', taskQueue: bulkQueue, activitiesPerSecond: 100, bulk: true },
    ],
  });
});
afterAll(async () => {
  await worker?.shutdown();
});

const routing = { queues: {}, bulkQueues: { 'crm-test': bulkQueue } };
const client = () => createTemporalClient(inject('temporalAddress'), 'default');

describe('crmSync', () => {
  it('pushes changed members a batch at a time on the bulk queue, moving the watermark after each', async () => {
    watermark = -1;
    pushes.length = 0;
    runs.length = 0;
    refuse = new Set(['m-00004']);
    const handle = await client().workflow.start(crmSync, {
      taskQueue,
      workflowId: `crm-sync-tier-${randomBytes(4).toString('hex')}`,
      args: [{ crm: 'crm-test', batchSize: 10, routing }],
    });
    expect(await handle.result()).toEqual({ written: 22, failed: 1 });
    await recordHistory(handle, 'crm-sync-activity-per-step');
    expect(pushes.map((p) => p.memberIds.length)).toEqual([10, 10, 3]);
    expect(new Set(pushes.map((p) => p.queue))).toEqual(new Set([bulkQueue]));
    expect(watermark).toBe(members.length - 1);
    expect(runs).toEqual([{ written: 22, failed: 1 }]);

    // Nothing changed since: the next run pushes nothing and records an empty run.
    pushes.length = 0;
    await client().workflow.execute(crmSync, {
      taskQueue,
      workflowId: `crm-sync-tier-${randomBytes(4).toString('hex')}`,
      args: [{ crm: 'crm-test', batchSize: 10, routing }],
    });
    expect(pushes).toEqual([]);
    expect(runs.at(-1)).toEqual({ written: 0, failed: 0 });
  });
});

describe('crmBackfill', () => {
  it('writes every member once, several batches at a time, and reports its progress', async () => {
    pushes.length = 0;
    refuse = new Set();
    mostInFlight = 0;
    plans = pageReads = 0;
    const handle = await client().workflow.start(crmBackfill, {
      taskQueue,
      workflowId: `crm-backfill-tier-${randomBytes(4).toString('hex')}`,
      args: [{ crm: 'crm-test', batchSize: 2, routing }],
    });
    const final = await handle.result();
    expect(final).toMatchObject({
      crm: 'crm-test',
      total: 23,
      done: 23,
      failed: 0,
      finished: true,
    });
    expect(pushes.flatMap((p) => p.memberIds).sort()).toEqual(members);
    // Pages of two, the last one short; eight of them in flight at a time, never more.
    expect(pushes.map((p) => p.memberIds.length).sort()).toEqual([1, ...Array(11).fill(2)]);
    expect(mostInFlight).toBe(8);
    const progress = await handle.query(backfillProgress);
    expect(progress).toMatchObject({ done: 23, total: 23 });
    // One call planned it all: no read of ids of its own, and none that finds nothing.
    expect([plans, pageReads]).toEqual([1, 0]);
    await recordHistory(handle, 'crm-backfill-ranges');
  });

  it('longer than a run: continues as new, reading each later run’s pages once', async () => {
    // 1,051 pages of two: more than a run's 1,000 (a run of 1,000 pushes holds about 3,400
    // events here, under where Temporal suggests continuing as new).
    members = memberIds(2_101);
    pushes.length = 0;
    refuse = new Set();
    plans = pageReads = 0;
    pushMs = 5;
    try {
      const handle = await client().workflow.start(crmBackfill, {
        taskQueue,
        workflowId: `crm-backfill-tier-${randomBytes(4).toString('hex')}`,
        args: [{ crm: 'crm-test', batchSize: 2, routing }],
      });
      expect(await handle.result()).toMatchObject({ done: 2_101, total: 2_101, finished: true });
      expect(pushes).toHaveLength(1_051);
      expect(pushes.flatMap((p) => p.memberIds).sort()).toEqual(members);
      // The chain of runs, followed from the first through its continue-as-new events.
      let runs = 0;
      for (let runId: string | null | undefined = handle.firstExecutionRunId; runId; runs++) {
        const history = await client().workflow.getHandle(handle.workflowId, runId).fetchHistory();
        runId =
          history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      }
      // The plan, then one read of pages at the start of each later run, none that finds nothing.
      expect(runs).toBeGreaterThanOrEqual(2);
      expect([plans, pageReads]).toEqual([1, runs - 1]);
    } finally {
      members = memberIds(23);
      pushMs = 100;
    }
  });

  it('above the bulk threshold: jobs of 5,000, three pushes in flight, every member once', async () => {
    members = memberIds(20_001);
    bulkThreshold = 10_000;
    pushes.length = 0;
    refuse = new Set();
    mostInFlight = 0;
    plans = pageReads = 0;
    try {
      const handle = await client().workflow.start(crmBackfill, {
        taskQueue,
        workflowId: `crm-backfill-tier-${randomBytes(4).toString('hex')}`,
        args: [{ crm: 'crm-test', routing }],
      });
      expect(await handle.result()).toMatchObject({ done: 20_001, failed: 0, bulk: true });
      expect([plans, pageReads]).toEqual([1, 0]);
      await recordHistory(handle, 'crm-backfill-bulk-ranges');
      // Pushes start together, in any order.
      expect(pushes.map((p) => [p.memberIds.length, p.bulk]).sort()).toEqual([
        [1, true],
        [5_000, true],
        [5_000, true],
        [5_000, true],
        [5_000, true],
      ]);
      expect(pushes.flatMap((p) => p.memberIds).sort()).toEqual(members);
      // Since BULK_PREFETCH, three pushes: two jobs at the CRM (the worker's slots, see
      // tests/integration/salesforce-backfill.test.ts) and one reading or linking its page.
      expect(mostInFlight).toBe(3);
    } finally {
      members = memberIds(23);
      bulkThreshold = null;
    }
  });
});
