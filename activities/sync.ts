import { activityInfo, cancellationSignal, heartbeat, sleep } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { inBulkLane } from '../connectors/budget.js';
import type { Crm, CrmPerson, CrmUpsertResult } from '../connectors/ports.js';
import { personKey } from '../connectors/ports.js';
import type { PageEnds } from '../store/backfill-pages.js';
import { membersThrough, pageEnds } from '../store/backfill-pages.js';
import { crmRecords, recordLinks } from '../store/crm-records.js';
import type { Watermark } from '../store/sync.js';
import {
  advanceWatermark,
  changedSince,
  clearFailures,
  countMembers,
  membersAfter,
  readWatermark,
  recordFailures,
  recordRun,
} from '../store/sync.js';
import type { ActivityDeps } from './index.js';
import { undoWritesOfErased } from './erased-writes.js';
import { asActivityFailure } from './failures.js';
import { requireCapability } from './not-configured.js';
import { Slots } from './slots.js';

/** How often records the CRM failed for now are tried again inside one push, and how long apart. */
const RECORD_RETRIES = 3;
const RECORD_RETRY_MS = 1_000;
/**
 * Bulk jobs this worker has at one CRM at a time. A bulk backfill keeps one push more than this
 * in flight (workflows/crm-backfill BULK_PREFETCH): it reads its members and links its results
 * while the others' jobs are at the CRM, and waits here for a slot only around the job itself.
 */
const BULK_JOBS_AT_ONCE = 2;
/** How long the CRM's fields, once made or checked, are taken to be there. */
const PREPARED_FOR_MS = 5 * 60_000;

/** Keeps a long call (a bulk job polled to its end) alive for Temporal, with what is done so far. */
async function heartbeating<T>(work: Promise<T>, details: () => unknown): Promise<T> {
  const timer = setInterval(() => heartbeat(details()), 5_000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** upsertPeople a batch at a time: never more than the CRM takes in one request. */
async function upsertInBatches(crm: Crm, people: CrmPerson[]): Promise<CrmUpsertResult> {
  const result: CrmUpsertResult = { upserted: [], failed: [] };
  for (let start = 0; start < people.length; start += crm.batchLimit) {
    const batch = await crm.upsertPeople(people.slice(start, start + crm.batchLimit));
    result.upserted.push(...batch.upserted);
    result.failed.push(...batch.failed);
  }
  return result;
}

export interface CrmLimits {
  batchLimit: number;
  bulkThreshold: number | null;
}

/** What a backfill works with, read in its first call. */
export interface BackfillPlan {
  total: number;
  bulk: boolean;
  /** Members per push (not bulk). */
  batchSize: number;
  /** Its first run's pages. */
  first: PageEnds;
}

export interface PushResult {
  written: number;
  /** Refused for good (recorded for `townhall sync status`). */
  failed: number;
}

/** The most a CRM takes in one batch request, and from how many members it goes bulk. */
const limitsOf = (crm: Crm): CrmLimits => ({
  batchLimit: crm.batchLimit,
  bulkThreshold: crm.bulkUpsert && crm.bulkThreshold !== undefined ? crm.bulkThreshold : null,
});

export function createSyncActivities(deps: ActivityDeps) {
  const { db } = deps;
  const bulkSlots = new Map<string, Slots>();
  const bulkJobSlot = (crm: string) => {
    let slots = bulkSlots.get(crm);
    if (!slots) bulkSlots.set(crm, (slots = new Slots(BULK_JOBS_AT_ONCE)));
    return slots;
  };
  const crmNamed = (crm: string) => requireCapability(deps.crms?.[crm], 'crm');

  /**
   * Writes members to the CRM as they are now: one batch (or one bulk job), links the CRM
   * records, and records refusals. Records the CRM failed for now are tried again, only them;
   * what is written is kept in the heartbeat, so a retried attempt (a crash, a timeout) writes
   * only what is left. Safe to repeat: every write is an upsert by member id or email. `page`
   * names what the members were read as, where the attempt reads them itself: an earlier
   * attempt's heartbeat counts only for the same page.
   */
  async function writeMembers(
    crmId: string,
    memberIds: string[],
    bulk: boolean,
    page?: string,
  ): Promise<PushResult> {
    const crm = crmNamed(crmId);
    const details = activityInfo().heartbeatDetails as
      { done?: string[]; page?: string } | undefined;
    const done = new Set(details?.page === page ? details?.done : []);
    const readAt = new Date();
    let pending: CrmPerson[] = (await crmRecords(db, memberIds, deps.crmExtras)).filter(
      (person) => !done.has(personKey(person)),
    );
    let failed = 0;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const result = await heartbeating(
        // The bulk lane: a journey's single upsert takes its budget slot ahead of these.
        asActivityFailure(() =>
          inBulkLane(() => {
            const bulkUpsert = bulk ? crm.bulkUpsert?.bind(crm) : undefined;
            return bulkUpsert
              ? bulkJobSlot(crmId).run(() => bulkUpsert(pending), cancellationSignal())
              : upsertInBatches(crm, pending);
          }),
        ),
        () => ({ done: [...done], page }),
      );
      // A member whose erasure began after the read above is deleted from the CRM again, at
      // once: before anything else here can fail and the retry reads them no more.
      await asActivityFailure(() => undoWritesOfErased(db, crm, pending, readAt));
      await recordLinks(
        db,
        crmId,
        result.upserted.map((u) => ({ memberId: u.key, personId: u.personId })),
      );
      await clearFailures(
        db,
        crmId,
        result.upserted.map((u) => u.key),
      );
      const refused = result.failed.filter((f) => !f.retryable);
      await recordFailures(
        db,
        crmId,
        refused.map((f) => ({ memberId: f.key, reason: f.reason })),
      );
      failed += refused.length;
      for (const key of [...result.upserted.map((u) => u.key), ...refused.map((f) => f.key)])
        done.add(key);
      heartbeat({ done: [...done], page });
      const again = new Set(result.failed.filter((f) => f.retryable).map((f) => f.key));
      pending = pending.filter((person) => again.has(personKey(person)));
      if (pending.length === 0) break;
      if (attempt >= RECORD_RETRIES)
        throw ApplicationFailure.retryable(
          `${pending.length} record(s) failed for now; the push is retried for them alone`,
          'CrmRecordsPending',
        );
      await sleep(RECORD_RETRY_MS * attempt);
    }
    return { written: done.size - failed, failed };
  }

  /**
   * The CRM's community fields, made (or checked) at most every PREPARED_FOR_MS per CRM in this
   * worker process rather than at every page: one deleted in the CRM is made again soon after.
   */
  const prepared = new Map<string, { at: number; ready: Promise<void> }>();
  const prepare = (crmId: string): Promise<void> => {
    const known = prepared.get(crmId);
    if (known && Date.now() - known.at < PREPARED_FOR_MS) return known.ready;
    const ready = asActivityFailure(() => crmNamed(crmId).ensureProperties());
    // A failure is not kept: the next attempt tries again.
    ready.catch(() => prepared.delete(crmId));
    prepared.set(crmId, { at: Date.now(), ready });
    return ready;
  };

  return {
    /** The CRM's community fields exist (made, or checked where an admin must make them). */
    async prepareCrm(input: { crm: string }): Promise<void> {
      await asActivityFailure(() => crmNamed(input.crm).ensureProperties());
    },

    async nextChangedMembers(input: { crm: string; limit: number }) {
      return changedSince(db, await readWatermark(db, input.crm), input.limit);
    },

    async advanceSyncWatermark(input: { crm: string; to: Watermark }): Promise<void> {
      await advanceWatermark(db, input.crm, input.to);
    },

    async finishSyncRun(input: { crm: string } & PushResult): Promise<void> {
      await recordRun(db, input.crm, input);
    },

    /**
     * A page of the incremental sync in one activity (one Temporal action): the members changed
     * since the watermark, written, and the watermark moved past them; a page short of the limit
     * is the last, and the run (`total` before it, plus it) is recorded with that move, in one
     * transaction. A retry before the move reads the same page again, and writeMembers'
     * heartbeat keeps what was written; one after it reads the next page, and a member on both
     * (changed again since) is written again.
     */
    async syncChangedPage(input: {
      crm: string;
      batchSize?: number | undefined;
      total: PushResult;
    }): Promise<PushResult & { more: boolean }> {
      const crm = crmNamed(input.crm);
      await prepare(input.crm);
      const limit = Math.min(input.batchSize ?? crm.batchLimit, crm.batchLimit);
      const from = await readWatermark(db, input.crm);
      const { memberIds, last } = await changedSince(db, from, limit);
      const pushed = last
        ? await writeMembers(input.crm, memberIds, false, JSON.stringify(from ?? null))
        : { written: 0, failed: 0 };
      const more = memberIds.length === limit;
      await db.transaction().execute(async (trx) => {
        if (last) await advanceWatermark(trx, input.crm, last);
        if (!more)
          await recordRun(trx, input.crm, {
            written: input.total.written + pushed.written,
            failed: input.total.failed + pushed.failed,
          });
      });
      return { ...pushed, more };
    },

    /**
     * The most people the CRM takes in one batch request, and the member count from which a
     * backfill uses its bulk API (null: it has none).
     */
    crmLimits(input: { crm: string }): Promise<CrmLimits> {
      return Promise.resolve(limitsOf(crmNamed(input.crm)));
    },

    async countSyncableMembers(): Promise<number> {
      return countMembers(db);
    },

    async memberPage(input: { afterId?: string | undefined; limit: number }): Promise<string[]> {
      return membersAfter(db, input.afterId, input.limit);
    },

    /**
     * Everything a backfill needs before its first push, in one call (one Temporal action where
     * it took three, and a fourth for the first page): the CRM's fields made or checked, the
     * members counted, bulk or batches decided from the CRM's limits, and the first run's pages.
     */
    async planBackfill(input: {
      crm: string;
      batchSize?: number | undefined;
      /** Members per bulk job, and how many pages (batches or jobs) a run takes. */
      bulkPage: number;
      pagesPerRun: { batches: number; bulkJobs: number };
    }): Promise<BackfillPlan> {
      const crm = crmNamed(input.crm);
      await asActivityFailure(() => crm.ensureProperties());
      const total = await countMembers(db);
      const { batchLimit, bulkThreshold } = limitsOf(crm);
      const bulk = bulkThreshold !== null && total >= bulkThreshold;
      const batchSize = Math.min(input.batchSize ?? batchLimit, batchLimit);
      const first = bulk
        ? await pageEnds(db, undefined, input.bulkPage, input.pagesPerRun.bulkJobs)
        : await pageEnds(db, undefined, batchSize, input.pagesPerRun.batches);
      return { total, bulk, batchSize, first };
    },

    /** A backfill run's pages after `afterId` (store/backfill-pages.ts). */
    async backfillPageEnds(input: {
      afterId?: string | undefined;
      size: number;
      pages: number;
    }): Promise<PageEnds> {
      return pageEnds(db, input.afterId, input.size, input.pages);
    },

    /**
     * One page of the backfill given as a range of member ids, read here as they are now (a
     * member added inside it since the ends were read is written too, a batch at a time).
     */
    async pushMemberRange(input: {
      crm: string;
      afterId?: string | undefined;
      throughId: string;
      bulk: boolean;
    }): Promise<PushResult> {
      const memberIds = await membersThrough(db, input.afterId, input.throughId);
      const page = `${input.afterId ?? ''}..${input.throughId}`;
      return writeMembers(input.crm, memberIds, input.bulk, page);
    },

    /** One page of the backfill (or of a sync run from before syncChangedPage): writeMembers. */
    async pushMembers(input: {
      crm: string;
      memberIds: string[];
      bulk?: boolean;
    }): Promise<PushResult> {
      return writeMembers(input.crm, input.memberIds, input.bulk ?? false);
    },
  };
}
