// A step that runs again in one run gets a new key: its path plus how often it has run.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { activityInfo } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import { startTestWorker } from '../support/worker.js';

const taskQueue = `step-repeat-${randomBytes(4).toString('hex')}`;
const keys: string[] = [];
let worker: RunningWorker;

beforeAll(async () => {
  worker = await startTestWorker({
    taskQueue,
    workflowsPath: fileURLToPath(new URL('../support/repeat-workflow.ts', import.meta.url)),
    activities: {
      sendEmail: () => {
        const info = activityInfo();
        keys.push(`${info.workflowExecution?.workflowId}/${info.activityId}`);
        return Promise.resolve('sent');
      },
    },
  });
});
afterAll(async () => {
  await worker?.shutdown();
});

describe('idempotency keys of repeated steps', () => {
  it('are unique per path and iteration within one run', async () => {
    const workflowId = `repeat-${randomBytes(4).toString('hex')}`;
    const email = { type: 'email.send' as const, template: 'nudge', subject: 'Hi' };
    const client = createTemporalClient(inject('temporalAddress'), 'default');
    await client.workflow.execute('repeatSteps', {
      taskQueue,
      workflowId,
      args: [{ memberId: 'm-1', steps: [email], times: 3, then: [email] }],
    });
    expect(keys).toEqual([
      `${workflowId}/steps[0]#1`,
      `${workflowId}/steps[0]#2`,
      `${workflowId}/steps[0]#3`,
      `${workflowId}/exit.steps[0]#1`,
    ]);
  });
});
