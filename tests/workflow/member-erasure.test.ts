// The erasure workflow with stub activities: the order of its steps (suppress and stop first,
// the store last), and a system that refuses for good held until an operator asks again.
// The real CRM, help desks and store are in tests/integration/erasure.test.ts.
// RECORD_HISTORIES=<dir> writes the run's history there (tests/replay/member-erasure.test.ts).
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { ErasureInput, ErasurePlan } from '../../workflows/erasure/types.js';
import { memberErasure, retryErasureSignal } from '../../workflows/erasure/workflow.js';
import { waitFor } from '../support/sandbox.js';
import { recordHistory } from '../support/replay.js';
import { startTestWorker } from '../support/worker.js';

const taskQueue = `member-erasure-${randomBytes(4).toString('hex')}`;
const calls: string[] = [];
/** How many more times each system refuses for good before it erases. */
const refusals: Record<string, number> = {};

const activities = {
  planErasure: (input: ErasureInput): Promise<ErasurePlan> => {
    calls.push(`plan ${input.memberId}`);
    return Promise.resolve({
      systems: ['crm:example', 'helpdesk:example'],
      notErasable: ['messages the member posted on example'],
    });
  },
  stopMemberRuns: () => {
    calls.push('stop runs');
    return Promise.resolve();
  },
  eraseFromSystem: (input: ErasureInput & { system: string }) => {
    calls.push(`erase ${input.system}`);
    if ((refusals[input.system] ?? 0) > 0) {
      refusals[input.system]! -= 1;
      throw ApplicationFailure.create({ type: 'ConnectorError.auth', nonRetryable: true });
    }
    return Promise.resolve('deleted');
  },
  eraseFromStore: () => {
    calls.push('erase store');
    return Promise.resolve();
  },
  finishErasure: (input: { notErasable: string[] }) => {
    calls.push(`finish ${input.notErasable.length}`);
    return Promise.resolve();
  },
};

let worker: RunningWorker;
beforeAll(async () => {
  worker = await startTestWorker({ taskQueue, activities });
});
afterAll(async () => {
  await worker?.shutdown();
});

const client = () => createTemporalClient(inject('temporalAddress'), 'default');
const start = () =>
  client().workflow.start(memberErasure, {
    taskQueue,
    workflowId: `erasure-test-${randomBytes(4).toString('hex')}`,
    args: [{ erasureId: 'erasure-test', memberId: 'member-1' }],
  });

describe('memberErasure', () => {
  it('stops the runs before any deletion and erases the store last', async () => {
    calls.length = 0;
    const handle = await start();
    expect(await handle.result()).toMatchObject({ retries: 0 });
    expect(calls[0]).toBe('plan member-1');
    expect(calls[1]).toBe('stop runs');
    expect(calls.slice(2, 4).sort()).toEqual(['erase crm:example', 'erase helpdesk:example']);
    expect(calls.slice(4)).toEqual(['erase store', 'finish 1']);
    await recordHistory(handle, 'member-erasure');
  });

  it('holds a system that refused for good, and the store with it, until asked again', async () => {
    calls.length = 0;
    refusals['helpdesk:example'] = 1;
    const handle = await start();
    await waitFor('the refusal', () =>
      calls.filter((call) => call === 'erase helpdesk:example').length === 1 ? true : undefined,
    );
    // Time for a wrong next step to show: the store stays untouched while a system refuses.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(calls).not.toContain('erase store');
    expect(calls.filter((call) => call === 'erase crm:example')).toHaveLength(1);

    await handle.signal(retryErasureSignal);
    expect(await handle.result()).toMatchObject({ retries: 1 });
    // Only the system that refused is asked again.
    expect(calls.filter((call) => call === 'erase crm:example')).toHaveLength(1);
    expect(calls.filter((call) => call === 'erase helpdesk:example')).toHaveLength(2);
    expect(calls.slice(-2)).toEqual(['erase store', 'finish 1']);
  });
});
