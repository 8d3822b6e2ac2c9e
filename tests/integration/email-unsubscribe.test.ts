import type { Server } from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { Step as OnboardingStep } from '../../workflows/steps/index.js';
import { createEmailConnector } from '../../connectors/email/client.js';
import { unsubscribeToken } from '../../connectors/email/unsubscribe.js';
import { createLogger } from '../../runtime/logger.js';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import { createApp } from '../../server/app.js';
import { unsubscribeRoutes } from '../../server/routes/unsubscribe.js';
import { hasOptedOut } from '../../store/consent.js';
import { upsertMemberFromIdentity } from '../../store/members.js';
import type { OnboardingInput, OnboardingResult } from '../../workflows/onboarding/types.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { startTestSandbox } from '../support/sandbox.js';
import { startTestWorker } from '../support/worker.js';

const logger = createLogger('test');
logger.level = 'silent';
const taskQueue = `email-test-${randomBytes(4).toString('hex')}`;
const secret = 'email-test-unsubscribe-secret';

let t: TestDb;
let sandbox: Sandbox;
let client: Client;
let worker: RunningWorker;
let server: Server;
let url: string;

/** The transport settings `config/examples/sandbox.yaml` uses: STARTTLS required, then AUTH. */
const productionLikeSmtp = () => ({
  host: '127.0.0.1',
  port: sandbox.emulators.email.port,
  secure: false,
  requireTLS: true,
  tls: { rejectUnauthorized: false },
  user: 'sandbox',
  pass: 'sandbox-smtp-password',
});

beforeAll(async () => {
  t = await openTestDb();
  sandbox = await startTestSandbox();
  const app = createApp({
    logger,
    webhooks: {},
    checks: {},
    routers: [unsubscribeRoutes({ db: t.db, secret, logger })],
  });
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  client = createTemporalClient(inject('temporalAddress'), 'default');
  worker = await startTestWorker({
    taskQueue,
    activities: createActivities({
      db: t.db,
      logger,
      publicUrl: url,
      mailer: {
        ...createEmailConnector(productionLikeSmtp()),
        sender: {
          from: 'Townhall <hello@townhall.test>',
          templatesDir: path.resolve('config/examples/templates'),
          unsubscribe: { secret, mailto: 'unsubscribe@townhall.test' },
        },
      },
    }),
  });
});
afterAll(async () => {
  await worker?.shutdown();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await sandbox?.stop();
  await t?.close();
});

const welcome: OnboardingStep = {
  type: 'email.send',
  template: 'welcome',
  subject: 'Welcome, {{ member.name }}',
};

async function member(address: string): Promise<string> {
  const userId = `U-${address}`;
  return (
    await upsertMemberFromIdentity(t.db, 'slack', {
      userId,
      communityId: 'T1',
      email: address,
      name: 'Mary Shelley',
    })
  ).memberId;
}

async function sendWelcome(memberId: string, run = 'a'): Promise<string | undefined> {
  const result: OnboardingResult = await client.workflow.execute('onboarding', {
    taskQueue,
    workflowId: `email-test:${memberId}:${run}`,
    args: [{ memberId, steps: [welcome] } satisfies OnboardingInput],
  });
  return result.steps[0]?.outcome;
}

const mailTo = (address: string) =>
  sandbox.emulators.email.list().filter((m) => m.to.includes(address));

/** The https link out of `List-Unsubscribe: <mailto:...>, <https://...>`. */
function httpsLink(header: string | undefined): string {
  const link = /<(http[^>]+)>/.exec(header ?? '')?.[1];
  if (!link) throw new Error(`no https link in List-Unsubscribe: ${header}`);
  return link;
}

describe('email: unsubscribe headers, one-click unsubscribe, and the production transport', () => {
  it('sends over STARTTLS with AUTH and carries RFC 2369/8058 headers and a stable Message-ID', async () => {
    const memberId = await member('mary@example.com');
    expect(await sendWelcome(memberId)).toBe('sent');
    const [mail] = mailTo('mary@example.com');
    expect(mail).toMatchObject({ tls: true, authenticatedAs: 'sandbox' });
    const token = unsubscribeToken(secret, memberId);
    expect(mail?.headers['list-unsubscribe']).toBe(
      `<mailto:unsubscribe@townhall.test?subject=unsubscribe%20${token}>, <${url}/unsubscribe/${token}>`,
    );
    expect(mail?.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(mail?.messageId).toMatch(/^<[0-9a-f]{32}@townhall\.test>$/);
    // The member's email never appears in the link.
    expect(mail?.headers['list-unsubscribe']).not.toContain('mary');
  });

  it('records a one-click unsubscribe and refuses later sends to that member', async () => {
    const memberId = await member('percy@example.com');
    expect(await sendWelcome(memberId, 'first')).toBe('sent');
    const link = httpsLink(mailTo('percy@example.com')[0]?.headers['list-unsubscribe']);

    // What a mail provider does (RFC 8058): POST the form body to the https link.
    const response = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(200);
    expect(await hasOptedOut(t.db, memberId, 'email')).toBe(true);
    // Again: still fine, still opted out.
    expect((await fetch(link, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(
      200,
    );

    expect(await sendWelcome(memberId, 'second')).toBe('skipped: member opted out of email');
    expect(mailTo('percy@example.com')).toHaveLength(1);
  });

  it('records an unsubscribe from the link a person clicks, with a confirmation page', async () => {
    const memberId = await member('claire@example.com');
    const response = await fetch(`${url}/unsubscribe/${unsubscribeToken(secret, memberId)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('You are unsubscribed');
    expect(await hasOptedOut(t.db, memberId, 'email')).toBe(true);
  });

  it('answers a tampered or foreign token with 400 and records nothing', async () => {
    const memberId = await member('fanny@example.com');
    const token = unsubscribeToken(secret, memberId);
    const other = await member('william@example.com');
    const [encodedId, signature] = token.split('.') as [string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BA' : 'AA'}`;
    for (const bad of [
      `${encodedId}.${flipped}`,
      `${Buffer.from(other).toString('base64url')}.${signature}`,
      unsubscribeToken('another-installations-secret', memberId),
      'not-a-token',
    ]) {
      expect((await fetch(`${url}/unsubscribe/${bad}`, { method: 'POST' })).status).toBe(400);
      expect((await fetch(`${url}/unsubscribe/${bad}`)).status).toBe(400);
    }
    expect(await hasOptedOut(t.db, memberId, 'email')).toBe(false);
    expect(await hasOptedOut(t.db, other, 'email')).toBe(false);
  });

  it('fails an untrusted certificate for good, pointing at the tls settings', async () => {
    const connector = createEmailConnector({ ...productionLikeSmtp(), tls: {} });
    const error = await connector
      .send({
        from: 'Townhall <hello@townhall.test>',
        to: 'nobody@example.com',
        subject: 's',
        text: 't',
        idempotencyKey: 'k',
      })
      .catch((e: unknown) => e);
    connector.close();
    expect(error).toMatchObject({ code: 'invalid', retryable: false });
    expect((error as Error).message).toContain('connectors.email.smtp.tls');
  });

  it('fails a wrong SMTP password for good, naming the setting and not the password', async () => {
    const connector = createEmailConnector({ ...productionLikeSmtp(), pass: 'wrong-password' });
    const error = await connector
      .send({
        from: 'Townhall <hello@townhall.test>',
        to: 'nobody@example.com',
        subject: 's',
        text: 't',
        idempotencyKey: 'k',
      })
      .catch((e: unknown) => e);
    connector.close();
    expect(error).toMatchObject({ code: 'auth', retryable: false });
    expect((error as Error).message).toContain('connectors.email.smtp.user');
    expect((error as Error).message).not.toContain('wrong-password');
  });
});
