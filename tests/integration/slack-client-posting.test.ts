import { describe, expect, it } from 'vitest';
import { slackMessenger } from '../../connectors/slack/capabilities.js';
import {
  ADA,
  calls,
  connector,
  GENERAL,
  messages,
  seed,
  slack,
  useSlackEmulator,
  viaLedger,
} from '../support/slack-client.js';

/** Posts, thread replies and DMs through the real WebClient: once per dedup key. */

useSlackEmulator();

describe('Slack connector (real WebClient) against the emulator', () => {
  it('posts once per dedup key; a confirmed key is answered from the ledger', async () => {
    const first = await slack.postMessage(GENERAL, 'Welcome, Ada!', 'onboarding:m-1/step-2');
    expect(first).toMatchObject({ channel: GENERAL, ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    expect(first.created).toBe(true);
    const again = await slack.postMessage(GENERAL, 'Welcome, Ada!', 'onboarding:m-1/step-2');
    expect(again).toEqual({ ...first, created: false });

    expect(await messages(GENERAL)).toEqual([
      expect.objectContaining({
        ts: first.ts,
        text: 'Welcome, Ada!',
        user: 'U0TOWNBOT',
        bot_id: 'B0TOWNBOT',
        thread_ts: null,
        metadata: {
          event_type: 'townhall_post',
          event_payload: { dedup_key: 'onboarding:m-1/step-2' },
        },
      }),
    ]);
    // The first post costs one call; the confirmed repeat costs none.
    expect((await calls()).map((c) => c.method)).toEqual(['chat.postMessage']);
    const other = await slack.postMessage(GENERAL, 'Welcome, Grace!', 'onboarding:m-2/step-2');
    expect(other.created).toBe(true);
    expect(other.ts > first.ts).toBe(true);
  });

  it('replies in a thread once per dedup key', async () => {
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'The reset email never came' });
    const reply = await slack.replyInThread(
      GENERAL,
      root!.ts,
      'A ticket was opened: #4521',
      'handoff:slack:1/link',
    );
    expect(reply).toMatchObject({ channel: GENERAL, threadTs: root!.ts, created: true });
    expect(
      await slack.replyInThread(
        GENERAL,
        root!.ts,
        'A ticket was opened: #4521',
        'handoff:slack:1/link',
      ),
    ).toEqual({ ...reply, created: false });
    const inChannel = await messages(GENERAL);
    expect(inChannel).toHaveLength(2);
    expect(inChannel[1]).toMatchObject({ ts: reply.ts, thread_ts: root!.ts, bot_id: 'B0TOWNBOT' });
  });

  it('opens the DM with conversations.open, then posts in it, once per dedup key', async () => {
    const dm = await slack.sendDirectMessage(ADA, 'Hi Ada, welcome aboard', 'onboarding:m-1/dm');
    expect(dm).toMatchObject({ channel: expect.stringMatching(/^D/), created: true });
    expect(
      (await slack.sendDirectMessage(ADA, 'Hi Ada, welcome aboard', 'onboarding:m-1/dm')).created,
    ).toBe(false);
    expect(await messages(dm.channel)).toEqual([
      expect.objectContaining({ text: 'Hi Ada, welcome aboard', user: 'U0TOWNBOT' }),
    ]);
    // The confirmed repeat is answered from the ledger before anything reaches Slack.
    expect(await calls()).toEqual([
      { method: 'conversations.open', params: { users: ADA } },
      {
        method: 'chat.postMessage',
        params: expect.objectContaining({ channel: dm.channel, text: 'Hi Ada, welcome aboard' }),
      },
    ]);
    // The same action behind the DirectMessenger contract the onboarding dm.send step uses.
    const messenger = { sendDirectMessage: viaLedger(slackMessenger(connector())) };
    const input = {
      to: { userId: 'U0GRACEHO' },
      text: 'Hi Grace',
      subject: 'unused',
      dedupKey: 'dm-2',
    };
    const sent = await messenger.sendDirectMessage(input);
    expect(sent).toEqual({
      messageId: expect.stringMatching(/^D\w+:\d+\.\d{6}$/),
      created: true,
      // Replies to it would go in the thread its ts roots.
      threadId: expect.stringMatching(/^\d+\.\d{6}$/),
    });
    // The ledger answers a repeat with the message it recorded.
    expect(await messenger.sendDirectMessage(input)).toEqual({
      messageId: sent.messageId,
      created: false,
    });
    const unknown = await slack.sendDirectMessage('U0NOBODY0', 'hi', 'k').catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'not_found', retryable: false });
  });
});
