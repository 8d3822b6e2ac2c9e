import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { Step as OnboardingStep } from '../../workflows/steps/index.js';
import { createEmailConnector } from '../../connectors/email/client.js';
import { hubspotCrm } from '../../connectors/hubspot/capabilities.js';
import { createHubSpotConnector } from '../../connectors/hubspot/client.js';
import { createLogger } from '../../runtime/logger.js';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import { recordConsent } from '../../store/consent.js';
import { upsertMemberFromIdentity } from '../../store/members.js';
import type { OnboardingInput, OnboardingResult } from '../../workflows/onboarding/types.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { SANDBOX_HUBSPOT_TOKEN, startTestSandbox } from '../support/sandbox.js';
import { startTestWorker } from '../support/worker.js';

const logger = createLogger('test');
logger.level = 'silent';
const taskQueue = `onboarding-test-${randomBytes(4).toString('hex')}`;
const templates = path.resolve('config/examples/templates');

let t: TestDb;
let sandbox: Sandbox;
let client: Client;
let worker: RunningWorker;

beforeAll(async () => {
  t = await openTestDb();
  sandbox = await startTestSandbox();
  client = createTemporalClient(inject('temporalAddress'), 'default');
  const email = createEmailConnector({
    host: '127.0.0.1',
    port: sandbox.emulators.email.port,
    secure: false,
    // The sink's STARTTLS certificate is self-signed.
    tls: { rejectUnauthorized: false },
  });
  worker = await startTestWorker({
    taskQueue,
    activities: createActivities({
      db: t.db,
      logger,
      publicUrl: 'http://127.0.0.1:3000',
      crm: hubspotCrm(
        createHubSpotConnector({ accessToken: SANDBOX_HUBSPOT_TOKEN, baseUrl: sandbox.url }),
      ),
      mailer: {
        ...email,
        sender: {
          from: 'Townhall <hi@townhall.test>',
          templatesDir: templates,
          unsubscribe: { secret: 'onboarding-test-unsubscribe-secret', mailto: 'hi@townhall.test' },
        },
      },
    }),
  });
});
afterAll(async () => {
  await worker?.shutdown();
  await sandbox?.stop();
  await t?.close();
});

async function member(userId: string, email: string, name: string): Promise<string> {
  return (await upsertMemberFromIdentity(t.db, 'slack', { userId, communityId: 'T1', email, name }))
    .memberId;
}

function run(memberId: string, steps: OnboardingStep[]): Promise<OnboardingResult> {
  return client.workflow.execute('onboarding', {
    taskQueue,
    workflowId: `onboarding-test:${memberId}`,
    args: [{ memberId, steps } satisfies OnboardingInput],
  });
}

const mailTo = (address: string) =>
  sandbox.emulators.email.list().filter((m) => m.to.includes(address));

describe('onboarding workflow (real Temporal, real store, sandbox vendors)', () => {
  it('runs its steps in order with the configured waits', async () => {
    const memberId = await member('U-order', 'order@example.com', 'Grace Hopper');
    const started = Date.now();
    const result = await run(memberId, [
      { type: 'crm.upsert_contact', properties: { lifecyclestage: 'subscriber' } },
      { type: 'email.send', template: 'welcome', subject: 'Welcome, {{ member.name }}' },
      { type: 'wait', ms: 2_000 },
      { type: 'email.send', template: 'day-two', subject: 'Day two for {{ member.name }}' },
    ]);

    expect(result.steps.map((s) => s.outcome)).toEqual([
      expect.stringMatching(/^created contact \d+$/),
      'sent',
      'waited',
      'sent',
    ]);
    const contact = sandbox.emulators.hubspot
      .list()
      .find((c) => c.properties.email === 'order@example.com');
    // The first contact write made the community properties exist (once per worker).
    const { properties } = (await (
      await fetch(`${sandbox.url}/_sandbox/hubspot/properties`)
    ).json()) as { properties: { name: string; groupName: string }[] };
    expect(properties.filter((p) => p.groupName === 'community').map((p) => p.name)).toContain(
      'townhall_member_id',
    );
    expect(contact?.properties).toMatchObject({
      firstname: 'Grace',
      lastname: 'Hopper',
      lifecyclestage: 'subscriber',
    });

    const mails = mailTo('order@example.com');
    expect(mails.map((m) => m.subject)).toEqual([
      'Welcome, Grace Hopper',
      'Day two for Grace Hopper',
    ]);
    const [welcome, dayTwo] = mails.map((m) => Date.parse(m.receivedAt));
    expect(Date.parse(contact!.createdAt)).toBeLessThanOrEqual(welcome!);
    expect(dayTwo! - welcome!).toBeGreaterThanOrEqual(2_000);
    expect(Date.now() - started).toBeLessThan(20_000);
    // Each message has a stable Message-ID derived from the step, and a text and HTML part.
    expect(mails[0]?.messageId).toMatch(/^<[0-9a-f]{32}@townhall\.test>$/);
    expect(mails[0]?.messageId).not.toBe(mails[1]?.messageId);
    expect(mails[0]?.html).toContain('<p>Hi Grace Hopper,</p>');
  });

  it('updates rather than duplicates a contact that already exists', async () => {
    const memberId = await member('U-again', 'again@example.com', 'Alan Turing');
    await run(memberId, [{ type: 'crm.upsert_contact', properties: {} }]);
    // A second run for the same member (the client's default reuse policy allows it here).
    const second = await run(memberId, [
      { type: 'crm.upsert_contact', properties: { lifecyclestage: 'lead' } },
    ]);
    expect(second).toMatchObject({
      steps: [{ outcome: expect.stringMatching(/^updated contact/) }],
    });
    expect(
      sandbox.emulators.hubspot.list().filter((c) => c.properties.email === 'again@example.com'),
    ).toHaveLength(1);
  });

  it('skips email to a member who opted out', async () => {
    const memberId = await member('U-out', 'optout@example.com', 'Opted Out');
    await recordConsent(t.db, memberId, 'email', 'opted_out', 'test');
    const result = await run(memberId, [
      { type: 'email.send', template: 'welcome', subject: 'Hi' },
    ]);
    expect(result.steps[0]?.outcome).toBe('skipped: member opted out of email');
    expect(mailTo('optout@example.com')).toHaveLength(0);
  });

  it('fails a step for good, without retrying, when the template does not exist', async () => {
    const memberId = await member('U-tpl', 'tpl@example.com', 'No Template');
    const error = await run(memberId, [
      { type: 'email.send', template: 'nope', subject: 'Hi' },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause?.cause;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'ConnectorError.invalid', nonRetryable: true });
    expect((failure as ApplicationFailure).message).toContain('email template "nope" not found');
    expect(mailTo('tpl@example.com')).toHaveLength(0);
  });
});
