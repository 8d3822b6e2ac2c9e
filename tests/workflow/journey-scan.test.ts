// The inactivity scan workflow with a stub page activity: pages until one comes back short,
// each page's entries recorded at one moment however often it is tried, and what the runs it
// starts keep. The real page (store and Temporal client): tests/integration/journey-entries.test.ts.
import { randomBytes } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EntryPage } from '../../activities/journey-entries.js';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import { journeyScan } from '../../workflows/journey-scan/workflow.js';
import type { Step } from '../../workflows/steps/index.js';
import { recordHistory } from '../support/replay.js';
import { startTestWorker } from '../support/worker.js';

const taskQueue = `journey-scan-${randomBytes(4).toString('hex')}`;
const lapsed = Array.from({ length: 250 }, (_, i) => `m-${String(i).padStart(4, '0')}`);
const calls: { page: EntryPage; attempt: number; queue: string }[] = [];

let worker: RunningWorker;
beforeAll(async () => {
  worker = await startTestWorker({
    taskQueue,
    activities: {
      enterLapsedMembers: (page: EntryPage) => {
        const { attempt, taskQueue: queue } = activityInfo();
        calls.push({ page, attempt, queue });
        // The second page's first attempt dies after its entries were recorded.
        if (page.afterId === lapsed[99] && attempt === 1)
          throw ApplicationFailure.retryable('the worker went away', 'Test');
        const found = lapsed
          .filter((id) => !page.afterId || id > page.afterId)
          .slice(0, page.limit);
        return Promise.resolve({
          entered: found.length,
          lastId: found.at(-1),
          more: found.length === page.limit,
        });
      },
    },
  });
});
afterAll(() => worker?.shutdown());

describe('journeyScan', () => {
  it('enters every lapsed member a page at a time, each page at one moment through retries', async () => {
    const client = createTemporalClient(inject('temporalAddress'), 'default');
    const journey = `scan-${randomBytes(3).toString('hex')}`;
    const steps: Step[] = [{ type: 'wait', ms: 86_400_000 }];
    const handle = await client.workflow.start(journeyScan, {
      taskQueue,
      workflowId: `journey-scan:${journey}`,
      args: [
        {
          journey,
          steps,
          exitWhen: ['message.posted'],
          entry: { kind: 'once_per', ms: 3_600_000 },
          inactiveMs: 60_000,
          hash: 'h',
          searchAttributes: true,
        },
      ],
    });
    expect(await handle.result()).toEqual({ entered: 250 });
    await recordHistory(handle, 'journey-scan-client-starts');
    // Pages of 100: the third is short and ends the scan with no read that finds nobody.
    expect(calls.map((c) => [c.page.afterId, c.attempt])).toEqual([
      [undefined, 1],
      [lapsed[99], 1],
      [lapsed[99], 2],
      [lapsed[199], 1],
    ]);
    const moments = calls.map((c) => c.page.enteredAt);
    expect(moments[2]).toBe(moments[1]);
    expect(new Set(moments).size).toBe(3);
    // The runs go to the scan's queue and keep the journey as the scan was given it.
    const first = calls[0]!;
    expect(first.queue).toBe(taskQueue);
    expect(first.page).toMatchObject({
      taskQueue,
      oncePerMs: 3_600_000,
      once: false,
      memo: { journey, journeyHash: 'h' },
      template: { journey, steps, exitWhen: ['message.posted'], searchAttributes: true },
    });
  });
});
