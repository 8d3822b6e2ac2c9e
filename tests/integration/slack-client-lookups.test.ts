import { describe, expect, it } from 'vitest';
import {
  ADA,
  calls,
  connector,
  GENERAL,
  sandbox,
  seed,
  slack,
  useSlackEmulator,
} from '../support/slack-client.js';

/** Reads through the real WebClient: users by id and email, whole threads across pages. */

useSlackEmulator();

describe('Slack connector (real WebClient) against the emulator', () => {
  it('looks users up by id and by email; nobody is undefined', async () => {
    const ada = {
      id: ADA,
      teamId: 'T0SANDBOX',
      handle: 'ada',
      realName: 'Ada Lovelace',
      displayName: 'ada',
      email: 'ada@example.com',
      isBot: false,
      deleted: false,
      timezone: 'Europe/London',
    };
    expect(await slack.lookupUser(ADA)).toEqual(ada);
    expect(await slack.lookupUserByEmail('ADA@example.com')).toEqual(ada);
    expect(await slack.lookupUser('U0NOBODY0')).toBeUndefined();
    expect(await slack.lookupUserByEmail('nobody@example.com')).toBeUndefined();
    expect((await calls()).map((c) => c.method)).toEqual([
      'users.info',
      'users.lookupByEmail',
      'users.info',
      'users.lookupByEmail',
    ]);

    // A user added through the sandbox is found too.
    const added = await fetch(`${sandbox.url}/_sandbox/slack/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'hedy', real_name: 'Hedy Lamarr', email: 'hedy@example.com' }),
    });
    expect(added.status).toBe(201);
    expect(await slack.lookupUserByEmail('hedy@example.com')).toMatchObject({
      handle: 'hedy',
      realName: 'Hedy Lamarr',
    });
  });

  it('says which scope is missing when the token may not read emails', async () => {
    const limited = 'xoxb-no-email-scope';
    await fetch(`${sandbox.url}/_sandbox/slack/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: limited, scopes: ['chat:write', 'users:read'] }),
    });
    const client = connector({ botToken: limited });
    const error = await client.lookupUserByEmail('ada@example.com').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth', retryable: false });
    expect((error as Error).message).toContain('users:read.email');
    // users.info still works, without the email (as Slack leaves it out without the scope).
    expect(await client.lookupUser(ADA)).toMatchObject({ handle: 'ada', email: null });
  });

  it('fetches a whole thread, following the cursor across pages', async () => {
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'Long thread' });
    const replies = Array.from({ length: 450 }, (_, i) => ({
      channel: GENERAL,
      user: i % 2 ? ADA : 'U0GRACEHO',
      text: `reply ${i + 1}`,
      thread_ts: root!.ts,
    }));
    await seed(replies);
    const thread = await slack.fetchThread(GENERAL, root!.ts);
    expect(thread).toHaveLength(451);
    expect(thread[0]).toMatchObject({ ts: root!.ts, text: 'Long thread', user: ADA });
    expect(thread.slice(1).map((m) => m.text)).toEqual(replies.map((r) => r.text));
    expect(new Set(thread.map((m) => m.ts)).size).toBe(451);
    const pages = (await calls()).filter((c) => c.method === 'conversations.replies');
    expect(pages).toHaveLength(3);
    expect(pages[0]!.params?.cursor).toBeUndefined();
    expect(pages[1]!.params?.cursor).toEqual(expect.any(String));
    expect(await slack.fetchThread(GENERAL, '1.000001').catch((e: unknown) => e)).toMatchObject({
      code: 'not_found',
    });
  });
});
