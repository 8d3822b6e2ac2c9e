import {
  continueAsNew,
  defineQuery,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { CRM_BATCH, STORE_CALL, VENDOR_CALL } from '../retry-policies.js';
import type { Activities } from '../steps/context.js';
import type { BackfillProgress, BackfillState, CrmBackfillInput } from './types.js';

/** What `townhall sync backfill` and `sync status` draw their progress bar from. */
export const backfillProgress = defineQuery<BackfillProgress>('progress');

/** Members per bulk job, where the CRM has a bulk API and the backfill is over its threshold. */
const BULK_PAGE = 5_000;
// Pushes in flight, each waiting on a budget slot ahead: enough that a worker slowed down (a
// busy CPU, 4 was measured at 86% of the ceiling on a loaded CI machine) does not miss slots.
const PUSHES_AT_ONCE = 8;
/** Pages a run pushes before it continues as new, so its history stays small. */
const PAGES_PER_RUN = 200;

function progressOf(crm: string, state: BackfillState, now: number, finished: boolean) {
  const elapsedS = Math.max(0.001, (now - state.startedAt) / 1000);
  const perSecond = state.done / elapsedS;
  const left = state.total - state.done - state.failed;
  return {
    crm,
    ...state,
    perSecond,
    etaMs: perSecond > 0 ? Math.round((Math.max(0, left) / perSecond) * 1000) : null,
    finished,
  };
}

/**
 * Pages through every member in id order and writes them to the CRM: batches on the CRM's bulk
 * queue, or bulk jobs above the CRM's threshold. Its position is carried across continue-as-new
 * and lives in Temporal, so a worker restart (or a SIGKILL) resumes where it was; the upserts
 * key on member id, so a page resent after a crash writes nobody twice.
 */
export async function crmBackfill(input: CrmBackfillInput): Promise<BackfillProgress> {
  const store = proxyActivities<Activities>(STORE_CALL);
  const vendor = input.routing?.queues?.[input.crm];
  const bulkQueue = input.routing?.bulkQueues?.[input.crm];
  const crm = proxyActivities<Activities>({
    ...VENDOR_CALL,
    ...(vendor ? { taskQueue: vendor } : {}),
  });
  const push = proxyActivities<Activities>({
    ...CRM_BATCH,
    ...(bulkQueue ? { taskQueue: bulkQueue } : {}),
  });

  let state: BackfillState | undefined = input.state;
  let finished = false;
  setHandler(backfillProgress, () =>
    state
      ? progressOf(input.crm, state, Date.now(), finished)
      : progressOf(
          input.crm,
          { done: 0, failed: 0, total: 0, startedAt: Date.now(), bulk: false, batchSize: 0 },
          Date.now(),
          false,
        ),
  );
  if (!state) {
    await crm.prepareCrm({ crm: input.crm });
    const total = await store.countSyncableMembers();
    const { batchLimit, bulkThreshold: threshold } = await crm.crmLimits({ crm: input.crm });
    state = {
      done: 0,
      failed: 0,
      total,
      startedAt: Date.now(),
      bulk: threshold !== null && total >= threshold,
      batchSize: Math.min(input.batchSize ?? batchLimit, batchLimit),
    };
  }
  // A window of PUSHES_AT_ONCE pushes is kept in flight, the next page read as soon as one
  // finishes: the CRM's request budget, not round trips between batches, sets the pace. Bulk
  // jobs run one at a time. `state.afterId` moves only once every page before it is written.
  const size = state.bulk ? BULK_PAGE : state.batchSize;
  const atOnce = state.bulk ? 1 : PUSHES_AT_ONCE;
  const current = state;
  let cursor = current.afterId;
  let exhausted = false;
  let pages = 0;
  let buffered: string[] = [];
  const inFlight = new Map<number, Promise<void>>();
  for (;;) {
    // A run stops taking pages at its limit; the next one starts after the last page pushed,
    // so ids still buffered here are read again there.
    const more = !exhausted && pages < PAGES_PER_RUN && !workflowInfo().continueAsNewSuggested;
    if (more && inFlight.size < atOnce) {
      // Member ids are read a window's worth at a time, so pushes start without waiting.
      if (buffered.length === 0) {
        buffered = await store.memberPage({ afterId: cursor, limit: size * atOnce });
        if (buffered.length === 0) {
          exhausted = true;
          continue;
        }
      }
      const memberIds = buffered.slice(0, size);
      buffered = buffered.slice(size);
      cursor = memberIds.at(-1);
      const page = pages++;
      inFlight.set(
        page,
        push.pushMembers({ crm: input.crm, memberIds, bulk: current.bulk }).then((pushed) => {
          current.done += pushed.written;
          current.failed += pushed.failed;
          inFlight.delete(page);
        }),
      );
    } else if (inFlight.size > 0) {
      await Promise.race(inFlight.values());
    } else break;
  }
  current.afterId = cursor;
  if (exhausted) {
    finished = true;
    return progressOf(input.crm, current, Date.now(), true);
  }
  return continueAsNew<typeof crmBackfill>({ ...input, state });
}
