import {
  continueAsNew,
  defineQuery,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { CRM_BATCH, STORE_CALL, VENDOR_CALL } from '../retry-policies.js';
import type { Activities } from '../steps/context.js';
import type { PageEnds } from '../../store/backfill-pages.js';
import type { BackfillProgress, BackfillState, CrmBackfillInput } from './types.js';

/** What `townhall sync backfill` and `sync status` draw their progress bar from. */
export const backfillProgress = defineQuery<BackfillProgress>('progress');

/** Members per bulk job, where the CRM has a bulk API and the backfill is over its threshold. */
const BULK_PAGE = 5_000;
/** Runs that started before the sliding window push in rounds of this many, awaited together. */
const PUSHES_AT_ONCE = 4;
/** Runs since the sliding window: pushes kept in flight, a new one as soon as any ends. */
const PUSHES_IN_FLIGHT = 8;
/**
 * Bulk jobs kept in flight since BULK_PAIR: while one waits on the CRM (its polls) or on the
 * store (its results linked), the other is processed. Two, not more: each holds a page of
 * BULK_PAGE members in the worker, and Salesforce processes an org's jobs side by side anyway.
 */
const BULK_IN_FLIGHT = 2;
/**
 * Bulk pushes in flight on the ranges path since BULK_PREFETCH: one more than the jobs the CRM is
 * given at once. The worker lets two of its pushes' jobs at the CRM at a time (activities/sync.ts
 * BULK_JOBS_AT_ONCE); the third reads its members or links its results meanwhile, store work
 * that had left a job's slot idle for a fifth of its time. Patched although a wider window
 * issues the same activities in the same order, only sooner (a history of two at a time replays
 * without the patch): a run that Temporal asked to continue as new stopped after push n, and the
 * wider window would have scheduled push n+1 in that same task.
 */
const BULK_PREFETCH = 'crm-backfill-bulk-prefetch';
const BULK_PUSHES_IN_FLIGHT = BULK_IN_FLIGHT + 1;
const ROUNDS_PER_RUN = 50;
const SLIDING_WINDOW = 'crm-backfill-sliding-window';
/** Runs from before it wrote bulk jobs one at a time, and replay so. */
const BULK_PAIR = 'crm-backfill-bulk-pair';
/**
 * Since this, a backfill plans itself in one call and its pages are ranges of member ids that
 * each push reads itself; runs from before read the ids in activities of their own (memberPage)
 * after three setup calls, and replay so.
 */
const RANGES = 'crm-backfill-ranges';
/**
 * Pages a run takes at most: it continues as new after them, or sooner where Temporal suggests it
 * (a run of 1,000 pushes holds about 3,400 events, under the server's default suggestion).
 * Every continue-as-new waits for the pushes in flight, which left the CRM's budget idle for a
 * moment: at 200 a run a 100,000-member HubSpot backfill paced 0.984× of its budget, at 1,000
 * 0.997×.
 */
const PAGES_PER_RUN = { batches: 1_000, bulkJobs: ROUNDS_PER_RUN };

type PushResult = Awaited<ReturnType<Activities['pushMembers']>>;

/** One run's means and position; `state` is replaced as pushes finish (the query reads it). */
interface Run {
  state: BackfillState;
  readPage(afterId: string | undefined, limit: number): Promise<string[]>;
  push(memberIds: string[]): Promise<PushResult>;
  pageEnds(afterId: string | undefined, size: number, pages: number): Promise<PageEnds>;
  pushRange(afterId: string | undefined, throughId: string): Promise<PushResult>;
}

const counted = (state: BackfillState, pushed: PushResult[]): BackfillState => ({
  ...state,
  done: state.done + pushed.reduce((n, p) => n + p.written, 0),
  failed: state.failed + pushed.reduce((n, p) => n + p.failed, 0),
});

const pagesOf = (memberIds: string[], size: number) =>
  Array.from({ length: Math.ceil(memberIds.length / size) }, (_, i) =>
    memberIds.slice(i * size, (i + 1) * size),
  );

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
 * Runs started before the sliding window: rounds of PUSHES_AT_ONCE pushes awaited together (the
 * next round's ids read meanwhile). Kept as it was so their histories replay. True when done.
 */
async function pushInRounds(run: Run): Promise<boolean> {
  const size = run.state.bulk ? BULK_PAGE : run.state.batchSize;
  const atOnce = run.state.bulk ? 1 : PUSHES_AT_ONCE;
  let next = run.readPage(run.state.afterId, size * atOnce);
  for (let round = 0; round < ROUNDS_PER_RUN; round++) {
    const memberIds = await next;
    if (memberIds.length > 0) next = run.readPage(memberIds.at(-1), size * atOnce);
    if (memberIds.length === 0) return true;
    const pages = pagesOf(memberIds, size);
    const pushed = await Promise.all(pages.map((page) => run.push(page)));
    run.state = { ...counted(run.state, pushed), afterId: memberIds.at(-1) };
    if (workflowInfo().continueAsNewSuggested) break;
  }
  return false;
}

/**
 * Up to PUSHES_IN_FLIGHT pushes at once, a new one as soon as any ends, so the CRM's request
 * budget (paced inside the push) sets the pace rather than a round's slowest push. Before
 * continue-as-new every push is awaited, so afterId (the last page started) has nothing unwritten
 * before it. Bulk jobs run BULK_IN_FLIGHT at a time. True when done.
 */
async function pushInWindow(run: Run): Promise<boolean> {
  const size = run.state.bulk ? BULK_PAGE : run.state.batchSize;
  const width = !run.state.bulk ? PUSHES_IN_FLIGHT : patched(BULK_PAIR) ? BULK_IN_FLIGHT : 1;
  // As many pages per run as the rounds started, so a run's history stays as bounded as theirs.
  const pagesPerRun = ROUNDS_PER_RUN * (run.state.bulk ? 1 : PUSHES_AT_ONCE);
  const inFlight = new Set<Promise<void>>();
  let afterId = run.state.afterId;
  // A read brings a window of pages, and the next is read as soon as it lands: a read per page
  // (a Temporal round trip each) paced the pushes below the budget's rate.
  let next = run.readPage(afterId, size * width);
  let pages: string[][] = [];
  let finished = false;
  for (let started = 0; started < pagesPerRun; started++) {
    if (inFlight.size >= width) await Promise.race(inFlight);
    if (pages.length === 0) {
      const memberIds = await next;
      if (memberIds.length === 0) {
        finished = true;
        break;
      }
      next = run.readPage(memberIds.at(-1), size * width);
      pages = pagesOf(memberIds, size);
    }
    const page = pages.shift()!;
    afterId = page.at(-1);
    const pushing = run.push(page).then((pushed) => {
      run.state = counted(run.state, [pushed]);
      inFlight.delete(pushing);
    });
    inFlight.add(pushing);
    if (workflowInfo().continueAsNewSuggested) break;
  }
  await Promise.all(inFlight);
  run.state = { ...run.state, afterId };
  return finished;
}

/**
 * Since RANGES: the pages are ranges of member ids (the first run's from the plan, later runs'
 * read once at their start), pushed PUSHES_IN_FLIGHT at a time (bulk BULK_PUSHES_IN_FLIGHT), a new
 * one as soon as any ends. A run ends when its pages are pushed; the backfill, when the last
 * read found nothing after them. Before continue-as-new every push is awaited, so afterId has
 * nothing unwritten before it. True when done.
 */
async function pushRanges(run: Run, planned: PageEnds | undefined): Promise<boolean> {
  const size = run.state.bulk ? BULK_PAGE : run.state.batchSize;
  const width = !run.state.bulk
    ? PUSHES_IN_FLIGHT
    : patched(BULK_PREFETCH)
      ? BULK_PUSHES_IN_FLIGHT
      : BULK_IN_FLIGHT;
  const pages = run.state.bulk ? PAGES_PER_RUN.bulkJobs : PAGES_PER_RUN.batches;
  const { ends, complete } = planned ?? (await run.pageEnds(run.state.afterId, size, pages));
  const inFlight = new Set<Promise<void>>();
  let afterId = run.state.afterId;
  let started = 0;
  for (const end of ends) {
    if (inFlight.size >= width) await Promise.race(inFlight);
    const pushing = run.pushRange(afterId, end).then((pushed) => {
      run.state = counted(run.state, [pushed]);
      inFlight.delete(pushing);
    });
    inFlight.add(pushing);
    afterId = end;
    started += 1;
    if (workflowInfo().continueAsNewSuggested) break;
  }
  await Promise.all(inFlight);
  run.state = { ...run.state, afterId };
  return complete && started === ends.length;
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

  // Until the first run has counted the members, the query reports a backfill with nothing yet.
  const blank = { done: 0, failed: 0, total: 0, startedAt: Date.now(), bulk: false, batchSize: 0 };
  const run: Run = {
    state: input.state ?? blank,
    readPage: (afterId, limit) => store.memberPage({ afterId, limit }),
    push: (memberIds) => push.pushMembers({ crm: input.crm, memberIds, bulk: run.state.bulk }),
    pageEnds: (afterId, size, pages) => store.backfillPageEnds({ afterId, size, pages }),
    pushRange: (afterId, throughId) =>
      push.pushMemberRange({ crm: input.crm, afterId, throughId, bulk: run.state.bulk }),
  };
  let finished = false;
  setHandler(backfillProgress, () => progressOf(input.crm, run.state, Date.now(), finished));
  if (patched(RANGES)) {
    let planned: PageEnds | undefined;
    if (!input.state) {
      const plan = await crm.planBackfill({
        crm: input.crm,
        batchSize: input.batchSize,
        bulkPage: BULK_PAGE,
        pagesPerRun: PAGES_PER_RUN,
      });
      const { total, bulk, batchSize } = plan;
      run.state = { done: 0, failed: 0, total, startedAt: Date.now(), bulk, batchSize };
      planned = plan.first;
    }
    finished = await pushRanges(run, planned);
  } else {
    if (!input.state) {
      await crm.prepareCrm({ crm: input.crm });
      const total = await store.countSyncableMembers();
      const { batchLimit, bulkThreshold: threshold } = await crm.crmLimits({ crm: input.crm });
      run.state = {
        done: 0,
        failed: 0,
        total,
        startedAt: Date.now(),
        bulk: threshold !== null && total >= threshold,
        batchSize: Math.min(input.batchSize ?? batchLimit, batchLimit),
      };
    }
    finished = await (patched(SLIDING_WINDOW) ? pushInWindow(run) : pushInRounds(run));
  }
  if (finished) return progressOf(input.crm, run.state, Date.now(), true);
  return continueAsNew<typeof crmBackfill>({ ...input, state: run.state });
}
