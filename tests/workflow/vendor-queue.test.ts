// A rate-limited vendor's own task queue: the server hands its activities out no faster than
// maxTaskQueueActivitiesPerSecond, however many runs want them at once, while the runs' other
// steps go on at full speed on the main queue.
import { randomBytes } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import { onboarding } from '../../workflows/onboarding/workflow.js';
import { startTestWorker } from '../support/worker.js';

const taskQueue = `vendor-queue-${randomBytes(4).toString('hex')}`;
const crmQueue = `${taskQueue}@crm-test`;
const PER_SECOND = 2;
const RUNS = 7;
const started: { queue: string; at: number }[] = [];

const record = (outcome: string) => () => {
  started.push({ queue: activityInfo().taskQueue, at: Date.now() });
  return Promise.resolve(outcome);
};
const activities = { upsertCrmContact: record('created contact 1'), sendEmail: record('sent') };

let worker: RunningWorker;
beforeAll(async () => {
  worker = await startTestWorker({
    taskQueue,
    activities,
    vendorQueues: [{ connector: 'crm-test', taskQueue: crmQueue, activitiesPerSecond: PER_SECOND }],
  });
});
afterAll(async () => {
  await worker?.shutdown();
});

describe('a vendor task queue', () => {
  it('starts its activities at the configured rate, and only its own', async () => {
    const client = createTemporalClient(inject('temporalAddress'), 'default');
    await Promise.all(
      Array.from({ length: RUNS }, (_, i) =>
        client.workflow.execute(onboarding, {
          taskQueue,
          workflowId: `vendor-queue-${i}-${randomBytes(4).toString('hex')}`,
          args: [
            {
              memberId: `m-${i}`,
              steps: [
                { type: 'email.send', template: 'welcome', subject: 'Hi' },
                { type: 'crm.upsert_contact', properties: {} },
              ],
              routing: { providers: { crm: 'crm-test' }, queues: { 'crm-test': crmQueue } },
            },
          ],
        }),
      ),
    );
    const at = (queue: string) => started.filter((s) => s.queue === queue).map((s) => s.at);
    const limited = at(crmQueue).sort((a, b) => a - b);
    expect(limited).toHaveLength(RUNS);
    // The server's limiter may let a first burst through; after it, PER_SECOND a second. The
    // times are when the worker started each activity, a few ms after the server handed it out:
    // 100 ms of that jitter is allowed (unlimited, all 7 start within about 50 ms).
    const spread = limited.at(-1)! - limited[0]!;
    expect(spread).toBeGreaterThanOrEqual(((RUNS - 1 - PER_SECOND) / PER_SECOND) * 1_000 - 100);
    // The email steps ran on the main queue, unthrottled by the vendor's limit.
    expect(at(taskQueue)).toHaveLength(RUNS);
  });
});
