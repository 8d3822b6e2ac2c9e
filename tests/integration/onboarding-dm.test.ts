import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { Step as OnboardingStep } from '../../workflows/steps/index.js';
import { createDiscourseConnector } from '../../connectors/discourse/client.js';
import { discourseMessenger } from '../../connectors/discourse/capabilities.js';
import { createLogger } from '../../runtime/logger.js';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import { claimDelivery } from '../../store/deliveries.js';
import { upsertMemberFromIdentity } from '../../store/members.js';
import type { OnboardingInput, OnboardingResult } from '../../workflows/onboarding/types.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { startTestSandbox } from '../support/sandbox.js';
import { startTestWorker } from '../support/worker.js';

const logger = createLogger('test');
logger.level = 'silent';
const taskQueue = `onboarding-dm-${randomBytes(4).toString('hex')}`;
const DISCOURSE_KEY = 'sandbox-discourse-api-key';

let t: TestDb;
let sandbox: Sandbox;
let client: Client;
let worker: RunningWorker;

const discourseConfig = () => ({
  baseUrl: sandbox.url,
  apiKey: DISCOURSE_KEY,
  apiUsername: 'system',
  webhookSecret: 'unused',
});

beforeAll(async () => {
  t = await openTestDb();
  sandbox = await startTestSandbox();
  client = createTemporalClient(inject('temporalAddress'), 'default');
  worker = await startTestWorker({
    taskQueue,
    activities: createActivities({
      db: t.db,
      logger,
      publicUrl: 'http://127.0.0.1:3000',
      messengers: { discourse: discourseMessenger(createDiscourseConnector(discourseConfig())) },
    }),
  });
});
afterAll(async () => {
  await worker?.shutdown();
  await sandbox?.stop();
  await t?.close();
});

/** A forum user, known to the store as a Discourse identity (as user_created leaves it). */
async function discourseMember(username: string, name: string): Promise<string> {
  const created = await fetch(`${sandbox.url}/users.json`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'api-key': DISCOURSE_KEY,
      'api-username': 'system',
    },
    body: JSON.stringify({
      username,
      name,
      email: `${username}@example.com`,
      password: 'x'.repeat(12),
    }),
  });
  const { user_id } = (await created.json()) as { user_id: number };
  const { memberId } = await upsertMemberFromIdentity(t.db, 'discourse', {
    userId: String(user_id),
    communityId: 'forum.test',
    handle: username,
    name,
  });
  return memberId;
}

interface SandboxPm {
  kind: string;
  title: string;
  raw: string;
  target_recipients?: string[];
}
const pmsTo = async (username: string) =>
  (
    (await (await fetch(`${sandbox.url}/_sandbox/discourse/messages`)).json()) as SandboxPm[]
  ).filter((m) => m.kind === 'private_message' && m.target_recipients?.includes(username));

const welcomeDm: OnboardingStep = {
  type: 'dm.send',
  text: 'Welcome aboard, {{ member.name }}! Say hello in #introductions.',
  subject: 'Welcome, {{ member.name }}',
};

function run(workflowId: string, memberId: string, steps: OnboardingStep[]) {
  return client.workflow.execute('onboarding', {
    taskQueue,
    workflowId,
    args: [{ memberId, platform: 'discourse', steps } satisfies OnboardingInput],
  }) as Promise<OnboardingResult>;
}

describe('onboarding dm.send (real Temporal, Discourse emulator)', () => {
  it('sends the welcome as one Discourse private message, rendered for the member', async () => {
    const memberId = await discourseMember('ada', 'Ada Lovelace');
    const result = await run(`onboarding-dm:${memberId}`, memberId, [welcomeDm]);
    expect(result.steps).toMatchObject([{ type: 'dm.send', outcome: 'sent' }]);
    const pms = await pmsTo('ada');
    expect(pms).toHaveLength(1);
    expect(pms[0]?.title).toBe('Welcome, Ada Lovelace');
    expect(pms[0]?.raw).toBe('Welcome aboard, Ada Lovelace! Say hello in #introductions.');
  });

  it('rides out a 429 storm: one message, after the waits Discourse advertised', async () => {
    const memberId = await discourseMember('grace', 'Grace Hopper');
    const fault = await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'discourse', status: 429, count: 2, retryAfterSeconds: 3 }),
    });
    expect(fault.status).toBe(201);
    const started = Date.now();
    const result = await run(`onboarding-dm:${memberId}`, memberId, [welcomeDm]);
    const elapsed = Date.now() - started;
    expect(result.steps[0]?.outcome).toBe('sent');
    expect(await pmsTo('grace')).toHaveLength(1);
    // Two rate-limited attempts, each retried after the advertised 3 s. The retry policy alone
    // would have retried after 1 s and 2 s (3 s in all).
    expect(elapsed).toBeGreaterThanOrEqual(6_000);
    expect(sandbox.faults.list()).toEqual([]);
  });

  it('does not send twice after an attempt that crashed mid-send', async () => {
    const memberId = await discourseMember('alan', 'Alan Turing');
    const workflowId = `onboarding-dm:${memberId}`;
    // What a crashed first attempt leaves behind: the message went out, the ledger says
    // 'sending', and the activity never reported back.
    const key = `${workflowId}/steps[0]#1`;
    expect((await claimDelivery(t.db, key, 'dm:discourse')).kind).toBe('claimed');
    await discourseMessenger(createDiscourseConnector(discourseConfig())).sendDirectMessage({
      to: { userId: 'ignored', handle: 'alan' },
      text: 'Welcome aboard, Alan Turing! Say hello in #introductions.',
      subject: 'Welcome, Alan Turing',
      dedupKey: key,
    });

    const result = await run(workflowId, memberId, [welcomeDm]);
    expect(result.steps[0]?.outcome).toBe('already sent');
    expect(await pmsTo('alan')).toHaveLength(1);
  });

  it('skips, without failing the journey, a member with no identity on the platform', async () => {
    const { memberId } = await upsertMemberFromIdentity(t.db, 'slack', {
      userId: 'U-dm-skip',
      communityId: 'T1',
      name: 'Nobody On Discourse',
    });
    const result = await run(`onboarding-dm:${memberId}`, memberId, [welcomeDm]);
    expect(result.steps[0]?.outcome).toBe('skipped: member has no discourse identity');
  });
});
