import {
  ActivityFailure,
  condition,
  defineSignal,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import { ERASURE_CALL, STORE_CALL } from '../retry-policies.js';
import type { Activities } from '../steps/context.js';
import type { ErasureInput, ErasureResult } from './types.js';

/**
 * Sent by `townhall forget` (and the API) when the erasure is asked for again: a system that
 * refused for good (bad credentials, say) is tried once more after the operator fixed it.
 */
export const retryErasureSignal = defineSignal('retry');

/**
 * A member's erasure: suppress their addresses and stop their runs first (no further step sends
 * them anything), then delete them from every CRM and help desk, each retried until it answers,
 * and only then from townhall's store, whose addresses the vendor deletions need until the end.
 * Every activity is safe to repeat, and each records its outcome for `forget --status`.
 */
export async function memberErasure(input: ErasureInput): Promise<ErasureResult> {
  const store = proxyActivities<Activities>(STORE_CALL);
  const vendorFor = (system: string) => {
    const queue = input.routing?.queues?.[system.slice(system.indexOf(':') + 1)];
    return proxyActivities<Activities>({ ...ERASURE_CALL, ...(queue ? { taskQueue: queue } : {}) });
  };
  let asked = 0;
  setHandler(retryErasureSignal, () => void (asked += 1));

  const plan = await store.planErasure(input);
  await store.stopMemberRuns(input);

  let pending = plan.systems;
  let retries = 0;
  while (pending.length > 0) {
    const outcomes = await Promise.allSettled(
      pending.map((system) => vendorFor(system).eraseFromSystem({ ...input, system })),
    );
    for (const outcome of outcomes)
      if (outcome.status === 'rejected' && !(outcome.reason instanceof ActivityFailure))
        throw outcome.reason;
    pending = pending.filter((_, index) => outcomes[index]!.status === 'rejected');
    if (pending.length === 0) break;
    // Refused for good: recorded as failed; waits for the operator to fix it and ask again.
    const seen = asked;
    await condition(() => asked > seen);
    retries += 1;
  }

  await store.eraseFromStore(input);
  await store.finishErasure({ ...input, notErasable: plan.notErasable });
  return { erasureId: input.erasureId, systems: plan.systems, retries };
}
