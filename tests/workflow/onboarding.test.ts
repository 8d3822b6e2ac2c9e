// The fast tier: workflow logic on the real dev server with stub activities, as Temporal's own
// samples test workflows. No store, no sandbox: seconds, not minutes. The connectors and whole
// journeys are covered end to end in tests/integration and tests/e2e.
import { randomBytes } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { createActivities } from '../../activities/index.js';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import { onboarding } from '../../workflows/onboarding/workflow.js';
import type { OnboardingInput } from '../../workflows/onboarding/types.js';
import type { Step } from '../../workflows/steps/index.js';
import { recordHistory } from '../support/replay.js';
import { startTestWorker } from '../support/worker.js';
import { ADDRESS_UNCONFIRMED } from '../../workflows/steps/email-send.js';

type Activities = ReturnType<typeof createActivities>;

/** What each stub saw: which activity, on which queue, with which id and input. */
interface Call {
  name: string;
  taskQueue: string;
  activityId: string;
  attempt: number;
  input: unknown;
}

const taskQueue = `workflow-tier-${randomBytes(4).toString('hex')}`;
const crmQueue = `${taskQueue}@crm-test`;
const calls: Call[] = [];
/** Per activity id: how many attempts fail (retryably) before it succeeds. */
const flaky = new Map<string, number>();

function stub<K extends keyof Activities>(name: K, outcome: string) {
  return (input: unknown): Promise<string> => {
    const info = activityInfo();
    calls.push({
      name,
      taskQueue: info.taskQueue,
      activityId: info.activityId,
      attempt: info.attempt,
      input,
    });
    const failures = flaky.get(info.activityId) ?? 0;
    if (info.attempt <= failures)
      return Promise.reject(
        ApplicationFailure.retryable('stub: vendor unavailable', 'ConnectorError.unavailable'),
      );
    if (outcome === 'fail')
      return Promise.reject(
        ApplicationFailure.nonRetryable('stub: template not found', 'ConnectorError.invalid'),
      );
    return Promise.resolve(outcome);
  };
}

const stubs = {
  upsertCrmContact: stub('upsertCrmContact', 'created contact 1'),
  sendEmail: stub('sendEmail', 'sent'),
  sendDirectMessage: stub('sendDirectMessage', 'sent'),
} satisfies Partial<Record<keyof Activities, unknown>>;

let client: Client;
let workers: RunningWorker[];

beforeAll(async () => {
  client = createTemporalClient(inject('temporalAddress'), 'default');
  workers = [
    await startTestWorker({ taskQueue, activities: stubs }),
    // A vendor's own queue, polled for the same activities (runtime/routing.ts).
    await startTestWorker({
      taskQueue: `${taskQueue}-unused`,
      activities: stubs,
      vendorQueues: [{ connector: 'crm-test', taskQueue: crmQueue, activitiesPerSecond: 50 }],
    }),
  ];
});
afterAll(async () => {
  await Promise.all(workers?.map((worker) => worker.shutdown()) ?? []);
});

function run(steps: Step[], extra: Partial<OnboardingInput> = {}) {
  const memberId = `m-${randomBytes(4).toString('hex')}`;
  calls.length = 0;
  return client.workflow.execute(onboarding, {
    taskQueue,
    workflowId: `onboarding-tier:${memberId}`,
    args: [{ memberId, steps, ...extra }],
  });
}

describe('onboarding workflow with stub activities', () => {
  it('runs the steps in order, waits, and keys each effect by its step path', async () => {
    const started = Date.now();
    const result = await run(
      [
        { type: 'crm.upsert_contact', properties: { lifecyclestage: 'subscriber' } },
        { type: 'email.send', template: 'welcome', subject: 'Hi' },
        { type: 'wait', ms: 1_000 },
        { type: 'dm.send', text: 'Welcome', subject: 'Welcome' },
      ],
      { platform: 'discourse' },
    );
    expect(result.steps).toMatchObject([
      { type: 'crm.upsert_contact', outcome: 'created contact 1' },
      { type: 'email.send', outcome: 'sent' },
      { type: 'wait', outcome: 'waited' },
      { type: 'dm.send', outcome: 'sent' },
    ]);
    expect(calls.map(({ name, activityId }) => [name, activityId])).toEqual([
      ['upsertCrmContact', 'steps[0]#1'],
      ['sendEmail', 'steps[1]#1'],
      ['sendDirectMessage', 'steps[3]#1'],
    ]);
    expect(calls[2]?.input).toMatchObject({ platform: 'discourse', text: 'Welcome' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('gives the same step type at two paths two keys', async () => {
    await run([
      { type: 'email.send', template: 'welcome', subject: 'Hi' },
      { type: 'email.send', template: 'welcome', subject: 'Hi' },
    ]);
    expect(calls.map((call) => call.activityId)).toEqual(['steps[0]#1', 'steps[1]#1']);
  });

  it('sends each step to the task queue of the connector that serves it', async () => {
    await run(
      [
        { type: 'crm.upsert_contact', properties: {} },
        { type: 'email.send', template: 'welcome', subject: 'Hi' },
      ],
      {
        routing: {
          providers: { crm: 'crm-test', mailer: 'smtp-test' },
          queues: { 'crm-test': crmQueue },
        },
      },
    );
    expect(calls.map(({ name, taskQueue: queue }) => [name, queue])).toEqual([
      ['upsertCrmContact', crmQueue],
      // No queue of its own: the run's queue.
      ['sendEmail', taskQueue],
    ]);
  });

  it('skips a DM when the journey has no platform, calling nothing', async () => {
    const result = await run([{ type: 'dm.send', text: 'Welcome', subject: 'Welcome' }]);
    expect(result.steps).toMatchObject([
      { type: 'dm.send', outcome: 'skipped: the journey has no platform to DM on' },
    ]);
    expect(calls).toEqual([]);
  });

  it('retries a step that fails for now, on the same key', async () => {
    flaky.set('steps[0]#1', 2);
    try {
      const result = await run([{ type: 'email.send', template: 'welcome', subject: 'Hi' }]);
      expect(result.steps).toMatchObject([{ type: 'email.send', outcome: 'sent' }]);
      expect(calls.map(({ attempt, activityId }) => [attempt, activityId])).toEqual([
        [1, 'steps[0]#1'],
        [2, 'steps[0]#1'],
        [3, 'steps[0]#1'],
      ]);
    } finally {
      flaky.clear();
    }
  });

  it('fails the run at once when a step fails for good, and runs nothing after it', async () => {
    const failing = { ...stubs, sendEmail: stub('sendEmail', 'fail') };
    const queue = `${taskQueue}-failing`;
    const worker = await startTestWorker({ taskQueue: queue, activities: failing });
    try {
      calls.length = 0;
      const error = await client.workflow
        .execute(onboarding, {
          taskQueue: queue,
          workflowId: `onboarding-tier-fail-${randomBytes(4).toString('hex')}`,
          args: [
            {
              memberId: 'm-fail',
              steps: [
                { type: 'email.send', template: 'nope', subject: 'Hi' },
                { type: 'crm.upsert_contact', properties: {} },
              ],
            },
          ],
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      expect(calls.map((call) => [call.name, call.attempt])).toEqual([['sendEmail', 1]]);
    } finally {
      await worker.shutdown();
    }
  });

  describe('an email to an address its platform has not confirmed', () => {
    /** A worker whose sendEmail answers "unconfirmed" for the first `asks` calls of a run. */
    async function confirmingAfter(asks: number, queue: string) {
      let seen = 0;
      const sendEmail = async (input: unknown) => {
        const outcome = await stub('sendEmail', 'sent')(input);
        return ++seen <= asks ? ADDRESS_UNCONFIRMED : outcome;
      };
      return startTestWorker({ taskQueue: queue, activities: { ...stubs, sendEmail } });
    }
    const start = (queue: string, confirmWithinMs: number) => {
      calls.length = 0;
      return client.workflow.start(onboarding, {
        taskQueue: queue,
        workflowId: `onboarding-tier-confirm-${randomBytes(4).toString('hex')}`,
        args: [
          {
            memberId: 'm-confirm',
            steps: [
              { type: 'email.send', template: 'welcome', subject: 'Hi', confirmWithinMs },
              { type: 'dm.send', text: 'Welcome', subject: 'Welcome' },
            ],
            platform: 'discourse',
          },
        ],
      });
    };

    it('asks again, less often each time, and sends once the address is confirmed', async () => {
      const queue = `${taskQueue}-confirm`;
      const worker = await confirmingAfter(2, queue);
      try {
        const handle = await start(queue, 60_000);
        const result = await handle.result();
        expect(result.steps).toMatchObject([
          { type: 'email.send', outcome: 'sent' },
          { type: 'dm.send', outcome: 'sent' },
        ]);
        // A new activity id per ask; only the last one sent, under its own key.
        expect(calls.map(({ name, activityId }) => [name, activityId])).toEqual([
          ['sendEmail', 'steps[0]#1'],
          ['sendEmail', 'steps[0]#1/confirmed#2'],
          ['sendEmail', 'steps[0]#1/confirmed#3'],
          ['sendDirectMessage', 'steps[1]#1'],
        ]);
        const history = await handle.fetchHistory();
        const timers = history.events!.filter((e) => e.timerStartedEventAttributes);
        expect(
          timers.map((e) => Number(e.timerStartedEventAttributes!.startToFireTimeout!.seconds)),
        ).toEqual([2, 4]);
        await recordHistory(handle, 'onboarding-confirmed-address');
      } finally {
        await worker.shutdown();
      }
    });

    it('skips the email when the address is not confirmed in time, and goes on', async () => {
      const queue = `${taskQueue}-never-confirmed`;
      const worker = await confirmingAfter(Infinity, queue);
      try {
        const result = await (await start(queue, 3_000)).result();
        expect(result.steps).toMatchObject([
          { type: 'email.send', outcome: `${ADDRESS_UNCONFIRMED} within 3 s` },
          { type: 'dm.send', outcome: 'sent' },
        ]);
        expect(calls.filter((call) => call.name === 'sendEmail')).toHaveLength(3);
      } finally {
        await worker.shutdown();
      }
    });
  });
});
