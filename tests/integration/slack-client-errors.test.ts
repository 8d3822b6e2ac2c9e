import { describe, expect, it } from 'vitest';
import type { ConnectorError } from '../../connectors/errors.js';
import { freePort } from '../support/ports.js';
import {
  ADA,
  calls,
  connector,
  fault,
  GENERAL,
  ledgerless,
  seed,
  slack,
  useSlackEmulator,
  withKey,
  withRetries,
} from '../support/slack-client.js';

/** Lost answers, 429 storms and refusals: each action still done once, or a ConnectorError. */

useSlackEmulator();

describe('Slack connector (real WebClient) against the emulator', () => {
  it.each([
    ['with the ledger', () => slack],
    ['without a ledger', () => ledgerless],
  ])(
    'posts once when the first answer is lost after Slack stored the message (%s)',
    async (_mode, client) => {
      // Slack stores the message, then the connection drops before the answer: the client sees
      // a network failure, exactly as if the request had never arrived.
      await fault({ drop: true, path: 'chat.postMessage' });
      const seen: ConnectorError[] = [];
      const post = await withRetries(
        () => client().postMessage(GENERAL, 'Your ticket #77 is solved', 'handoff:slack:7/solved'),
        seen,
      );
      expect(seen.map((e) => e.code)).toEqual(['unavailable']);
      expect(post.created).toBe(false);
      expect(await withKey('handoff:slack:7/solved')).toEqual([
        expect.objectContaining({ ts: post.ts, text: 'Your ticket #77 is solved' }),
      ]);
      // The retry found the earlier post by its metadata rather than posting again.
      const methods = (await calls()).map((c) => c.method);
      expect(methods.filter((m) => m === 'chat.postMessage')).toHaveLength(1);
      expect(methods.at(-1)).toBe('conversations.history');
    },
  );

  it('posts once in a thread and in a DM when their first answers are lost', async () => {
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'Help with billing' });
    await fault({ drop: true, path: 'chat.postMessage', count: 2 });
    const reply = await withRetries(() =>
      slack.replyInThread(GENERAL, root!.ts, 'Ticket #8 opened', 'handoff:slack:8/link'),
    );
    const dm = await withRetries(() =>
      slack.sendDirectMessage(ADA, 'Welcome!', 'onboarding:m-9/dm'),
    );
    expect([reply.created, dm.created]).toEqual([false, false]);
    expect(await withKey('handoff:slack:8/link')).toHaveLength(1);
    expect(await withKey('onboarding:m-9/dm')).toHaveLength(1);
  });

  it('ends a 429 storm with every action done exactly once, after the advertised waits', async () => {
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'Thread for the storm' });
    await fault({ status: 429, count: 3, retryAfterSeconds: 1 });
    const actions: Record<string, () => Promise<unknown>> = {
      postMessage: () => slack.postMessage(GENERAL, 'storm post', 'storm/post'),
      replyInThread: () => slack.replyInThread(GENERAL, root!.ts, 'storm reply', 'storm/reply'),
      sendDirectMessage: () => slack.sendDirectMessage(ADA, 'storm dm', 'storm/dm'),
      lookupUser: () => slack.lookupUser(ADA),
      lookupUserByEmail: () => slack.lookupUserByEmail('grace@example.com'),
      fetchThread: () => slack.fetchThread(GENERAL, root!.ts),
    };
    const started = Date.now();
    const outcomes = await Promise.all(
      Object.entries(actions).map(async ([name, action]) => {
        const seen: ConnectorError[] = [];
        const begin = Date.now();
        const result = await withRetries(action, seen);
        return { name, result, seen, elapsed: Date.now() - begin };
      }),
    );
    const limited = outcomes.flatMap((o) => o.seen);
    expect(limited).toHaveLength(3);
    for (const error of limited)
      expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfterMs: 1_000 });
    for (const outcome of outcomes) {
      expect(outcome.result, outcome.name).toBeDefined();
      // Each action that was told to wait waited at least as long as Slack said, per 429.
      expect(outcome.elapsed).toBeGreaterThanOrEqual(outcome.seen.length * 1_000);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    for (const key of ['storm/post', 'storm/reply', 'storm/dm'])
      expect(await withKey(key), key).toHaveLength(1);
    // A 429 is a definite refusal: the retry posts straight away, without searching history.
    expect((await calls()).filter((c) => c.method === 'conversations.history')).toEqual([]);
  });

  it('maps auth failures, outages and an unreachable API to ConnectorErrors', async () => {
    const wrong = await connector({ botToken: 'xoxb-wrong' })
      .lookupUser(ADA)
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'auth', retryable: false, vendor: 'slack' });
    expect((wrong as Error).message).not.toContain('xoxb-wrong');

    await fault({ status: 503 });
    expect(await slack.lookupUser(ADA).catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      retryable: true,
      status: 503,
    });
    const down = connector({ apiUrl: `http://127.0.0.1:${await freePort()}/api/` });
    expect(await down.lookupUser(ADA).catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
    expect(
      await slack.postMessage('C0RANDOM0', 'x', 'k-random').catch((e: unknown) => e),
    ).toMatchObject({ code: 'invalid', message: expect.stringContaining('not_in_channel') });
    expect(
      await slack.postMessage('C0MISSING', 'x', 'k-missing').catch((e: unknown) => e),
    ).toMatchObject({ code: 'not_found', message: expect.stringContaining('channel_not_found') });
  });
});
