import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnceEffect } from '../../activities/send-once.js';
import { sendOnce } from '../../activities/send-once.js';
import { ConnectorError } from '../../connectors/errors.js';
import type { EffectAttempt } from '../../connectors/ports.js';
import { createLogger } from '../../runtime/logger.js';
import { claimDelivery, getDelivery } from '../../store/deliveries.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';

const logger = createLogger('test');
logger.level = 'silent';
let t: TestDb;

beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => {
  await t?.close();
});

/** An effect that counts its runs and fails the first ones as told. */
function effect(findsEarlier: boolean, failures: Error[] = []) {
  const attempts: EffectAttempt[] = [];
  const once: OnceEffect<{ messageId: string }> = {
    findsEarlier,
    run(attempt) {
      attempts.push(attempt);
      const failure = failures.shift();
      if (failure) return Promise.reject(failure);
      return Promise.resolve({ messageId: `msg-${attempts.length}` });
    },
  };
  return { once, attempts };
}

const send = (key: string, once: OnceEffect<{ messageId: string }>) =>
  sendOnce({ db: t.db, logger }, key, 'test', once);
const refused = () => new ConnectorError('rate_limited', '429', { vendor: 'test', status: 429 });
const lost = () => new ConnectorError('unavailable', 'socket hang up', { vendor: 'test' });

describe('sendOnce', () => {
  it('runs an effect once; a repeat is answered from the ledger with what it recorded', async () => {
    const { once, attempts } = effect(false);
    expect(await send('wf/a', once)).toEqual({ status: 'sent', receipt: { messageId: 'msg-1' } });
    expect(await send('wf/a', once)).toEqual({ status: 'already', messageId: 'msg-1' });
    expect(attempts).toEqual([{ dedupKey: 'wf/a', earlierAttemptSince: undefined }]);
  });

  it('frees the key after a definite refusal: the retry goes out without looking first', async () => {
    const { once, attempts } = effect(true, [refused()]);
    await expect(send('wf/b', once)).rejects.toMatchObject({ code: 'rate_limited' });
    expect(await send('wf/b', once)).toMatchObject({ status: 'sent' });
    expect(attempts.map((a) => a.earlierAttemptSince)).toEqual([undefined, undefined]);
  });

  it('after an attempt whose outcome is unknown, tells the vendor when it began', async () => {
    const { once, attempts } = effect(true, [lost(), refused()]);
    const before = Date.now();
    await expect(send('wf/c', once)).rejects.toMatchObject({ code: 'unavailable' });
    // A refusal of the retry does not clear the doubt the first attempt left.
    await expect(send('wf/c', once)).rejects.toMatchObject({ code: 'rate_limited' });
    expect(await send('wf/c', once)).toMatchObject({ status: 'sent' });
    const [first, second, third] = attempts.map((a) => a.earlierAttemptSince);
    expect(first).toBeUndefined();
    expect(second).toBeInstanceOf(Date);
    expect(Math.abs(second!.getTime() - before)).toBeLessThan(5_000);
    expect(third).toEqual(second);
    // The retry that made it is recorded: a later repeat is answered from the ledger.
    expect(await getDelivery(t.db, 'wf/c')).toMatchObject({ status: 'sent', detail: 'msg-3' });
    expect(await send('wf/c', once)).toEqual({ status: 'already', messageId: 'msg-3' });
  });

  it('never repeats an effect the vendor cannot check after an attempt vanished mid-send', async () => {
    // A crashed attempt: claimed, never completed.
    expect((await claimDelivery(t.db, 'wf/d', 'test')).kind).toBe('claimed');
    const { once, attempts } = effect(false);
    expect(await send('wf/d', once)).toEqual({ status: 'unconfirmed' });
    expect(attempts).toEqual([]);
  });

  it('lets one of many concurrent attempts run an effect the vendor cannot check', async () => {
    const { once, attempts } = effect(false);
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => send('wf/e', once)));
    expect(attempts).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'sent')).toHaveLength(1);
  });
});
