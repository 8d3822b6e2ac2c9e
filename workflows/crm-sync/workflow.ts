import { continueAsNew, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { CRM_BATCH, STORE_CALL, VENDOR_CALL } from '../retry-policies.js';
import type { Activities } from '../steps/context.js';
import type { CrmSyncInput, CrmSyncResult } from './types.js';

/** Pages a run handles before it continues as new, so its history stays small. */
const PAGES_PER_RUN = 200;
/**
 * Since it, a page is one activity (syncChangedPage: read, write, move the watermark, and record
 * the run on the last): a run that finds a few changed members costs its schedule's actions and
 * one more, where it was six activities (the CRM's fields and limits, two reads, the push, the
 * watermark and the run record). Runs from before it replay as they were.
 */
const ONE_ACTIVITY_A_PAGE = 'crm-sync-one-activity-a-page';

/**
 * The incremental member sync to one CRM: members whose view changed since the watermark, in
 * change order, pushed a batch at a time on the CRM's bulk queue (its share of the vendor's rate),
 * the watermark moved past each batch once it is written. Scheduled every few minutes.
 */
export async function crmSync(
  input: CrmSyncInput,
  carried?: CrmSyncResult,
): Promise<CrmSyncResult> {
  const store = proxyActivities<Activities>(STORE_CALL);
  const vendor = input.routing?.queues?.[input.crm];
  const bulk = input.routing?.bulkQueues?.[input.crm];
  const crm = proxyActivities<Activities>({
    ...VENDOR_CALL,
    ...(vendor ? { taskQueue: vendor } : {}),
  });
  const push = proxyActivities<Activities>({ ...CRM_BATCH, ...(bulk ? { taskQueue: bulk } : {}) });

  const total = { written: carried?.written ?? 0, failed: carried?.failed ?? 0 };
  if (patched(ONE_ACTIVITY_A_PAGE)) {
    for (let page = 0; page < PAGES_PER_RUN; page++) {
      const { more, ...pushed } = await push.syncChangedPage({
        crm: input.crm,
        batchSize: input.batchSize,
        total,
      });
      total.written += pushed.written;
      total.failed += pushed.failed;
      if (!more) return total;
      if (workflowInfo().continueAsNewSuggested) break;
    }
    return continueAsNew<typeof crmSync>(input, total);
  }
  if (!carried) await crm.prepareCrm({ crm: input.crm });
  const { batchLimit } = await crm.crmLimits({ crm: input.crm });
  const limit = Math.min(input.batchSize ?? batchLimit, batchLimit);
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const { memberIds, last } = await store.nextChangedMembers({ crm: input.crm, limit });
    if (!last) {
      await store.finishSyncRun({ crm: input.crm, ...total });
      return total;
    }
    const pushed = await push.pushMembers({ crm: input.crm, memberIds });
    total.written += pushed.written;
    total.failed += pushed.failed;
    await store.advanceSyncWatermark({ crm: input.crm, to: last });
    if (workflowInfo().continueAsNewSuggested) break;
  }
  return continueAsNew<typeof crmSync>(input, total);
}
