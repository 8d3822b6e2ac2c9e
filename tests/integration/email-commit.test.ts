import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendOnce } from '../../activities/send-once.js';
import type { EmailConnector } from '../../connectors/email/client.js';
import { createEmailConnector } from '../../connectors/email/client.js';
import type { EffectAttempt } from '../../connectors/ports.js';
import { createLogger } from '../../runtime/logger.js';
import type { Sandbox } from '../../sandbox/index.js';
import { formatInDoubt } from '../../bin/deliveries.js';
import {
  claimDelivery,
  getDelivery,
  listDeliveriesInDoubt,
  markCommitting,
} from '../../store/deliveries.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { startTestSandbox } from '../support/sandbox.js';

/**
 * The email's point of no return is SMTP's final dot: an attempt that vanished before it sent
 * nothing and is run again, one that got past it is never repeated. Real SMTP into the sandbox's
 * sink, the real ledger; the sink's count is the proof.
 */
const logger = createLogger('test');
logger.level = 'silent';
let t: TestDb;
let sandbox: Sandbox;
let smtp: EmailConnector;

beforeAll(async () => {
  t = await openTestDb();
  sandbox = await startTestSandbox();
  smtp = createEmailConnector({
    host: '127.0.0.1',
    port: sandbox.emulators.email.port,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
});
afterAll(async () => {
  smtp?.close();
  await sandbox?.stop();
  await t?.close();
});

const delivered = (to: string) => sandbox.emulators.email.list().filter((m) => m.to.includes(to));

/** One welcome email to `to`, guarded by the ledger under `key`, its commit passed through `gate`. */
function sendWelcome(key: string, to: string, gate = (commit: () => Promise<void>) => commit()) {
  return sendOnce({ db: t.db, logger }, key, 'email', {
    findsEarlier: false,
    marksCommit: true,
    run: (attempt: EffectAttempt) =>
      smtp.send({
        from: 'Townhall <hi@townhall.test>',
        to,
        subject: 'Welcome',
        text: 'Hello',
        idempotencyKey: key,
        commit: attempt.commit && (() => gate(attempt.commit!)),
      }),
  });
}

describe('email at most once, resent when it provably was not sent', () => {
  it('sends again after an attempt that vanished before the final dot', async () => {
    // A worker claimed the send and was killed before its message was committed.
    await claimDelivery(t.db, 'wf-a/welcome', 'email', { marksCommit: true });
    expect(await sendWelcome('wf-a/welcome', 'a@example.com')).toMatchObject({ status: 'sent' });
    expect(await sendWelcome('wf-a/welcome', 'a@example.com')).toMatchObject({ status: 'already' });
    expect(delivered('a@example.com')).toHaveLength(1);
  });

  it('never resends after an attempt that vanished past the final dot', async () => {
    const claim = await claimDelivery(t.db, 'wf-b/welcome', 'email', { marksCommit: true });
    expect(
      claim.kind === 'claimed' && (await markCommitting(t.db, 'wf-b/welcome', claim.fence)),
    ).toBe(true);
    expect(await sendWelcome('wf-b/welcome', 'b@example.com')).toEqual({ status: 'unconfirmed' });
    expect(delivered('b@example.com')).toHaveLength(0);
    // Never resent, but not lost from sight: `townhall deliveries in-doubt` lists it for ops.
    const inDoubt = await listDeliveriesInDoubt(t.db);
    expect(inDoubt.map((d) => [d.key, d.channel, d.status])).toContainEqual([
      'wf-b/welcome',
      'email',
      'unconfirmed',
    ]);
    expect(inDoubt.map((d) => d.key)).not.toContain('wf-a/welcome');
    expect(formatInDoubt(inDoubt)).toMatch(/^email {2}unconfirmed {2}wf-b\/welcome {2}since /m);
  });

  it('aborts a slow attempt a retry took over: the server discards its message', async () => {
    let arrived!: () => void;
    const atTheDot = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // The first attempt's whole message is with the server; it stalls before committing.
    const slow = sendWelcome('wf-c/welcome', 'c@example.com', async (commit) => {
      arrived();
      await released;
      return commit();
    });
    await atTheDot;
    // Temporal gave up on it and retried: the retry takes the send over and sends.
    expect(await sendWelcome('wf-c/welcome', 'c@example.com')).toMatchObject({ status: 'sent' });
    release();
    await expect(slow).rejects.toMatchObject({ code: 'conflict' });
    // Its connection closed without the final dot; give the sink a moment to have discarded it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(delivered('c@example.com')).toHaveLength(1);
    expect(await getDelivery(t.db, 'wf-c/welcome')).toMatchObject({ status: 'sent' });
  });
});
