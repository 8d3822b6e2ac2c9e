import { condition, patched, proxyActivities, sleep } from '@temporalio/workflow';
import { VENDOR_CALL } from '../retry-policies.js';
import type { Activities } from './context.js';
import type { StepEngine } from './engine.js';

/** Steps on Temporal: durable timers, patching, and activities with the vendor retry preset. */
export const temporalEngine: StepEngine = {
  now: () => Date.now(),
  sleep: (ms) => sleep(ms),
  condition: (test, ms) => condition(test, ms),
  patched: (id) => patched(id),
  activities: ({ activityId, taskQueue }) =>
    proxyActivities<Activities>({
      ...VENDOR_CALL,
      activityId,
      ...(taskQueue ? { taskQueue } : {}),
    }),
};
