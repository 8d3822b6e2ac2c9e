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
const PUSHES_AT_ONCE = 4;
const ROUNDS_PER_RUN = 50;

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
    ...(finished ? { finishedAt: now } : {}),
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
  // Batches go out PUSHES_AT_ONCE at a time: the CRM's request budget, not the round trips of
  // one batch after another, sets the pace. Bulk jobs run one at a time. The next round's ids
  // are read while this round's pushes run, so a round starts as soon as the last one ends.
  const size = state.bulk ? BULK_PAGE : state.batchSize;
  const atOnce = state.bulk ? 1 : PUSHES_AT_ONCE;
  const readPage = (afterId: string | undefined): Promise<string[]> =>
    store.memberPage({ afterId, limit: size * atOnce });
  let next = readPage(state.afterId);
  for (let round = 0; round < ROUNDS_PER_RUN; round++) {
    const memberIds = await next;
    if (memberIds.length > 0) next = readPage(memberIds.at(-1));
    if (memberIds.length === 0) {
      finished = true;
      return progressOf(input.crm, state, Date.now(), true);
    }
    const pages = Array.from({ length: Math.ceil(memberIds.length / size) }, (_, i) =>
      memberIds.slice(i * size, (i + 1) * size),
    );
    const pushed = await Promise.all(
      pages.map((page) => push.pushMembers({ crm: input.crm, memberIds: page, bulk: state!.bulk })),
    );
    state = {
      ...state,
      afterId: memberIds.at(-1),
      done: state.done + pushed.reduce((n, p) => n + p.written, 0),
      failed: state.failed + pushed.reduce((n, p) => n + p.failed, 0),
    };
    if (workflowInfo().continueAsNewSuggested) break;
  }
  return continueAsNew<typeof crmBackfill>({ ...input, state });
}
