import { describe, expect, it } from 'vitest';
import type { SandboxMessage } from '../support/discord-client.js';
import {
  discord,
  fault,
  ids,
  inspect,
  sandbox,
  useDiscordEmulator,
} from '../support/discord-client.js';

/** Posts, thread replies and DMs once per dedup key, and whole threads read back. */

useDiscordEmulator();

describe('Discord connector against the emulator', () => {
  it('posts once per dedup key: a retry returns the first message (nonce + enforce_nonce)', async () => {
    const first = await discord.postMessage(
      ids.channels.general,
      'Welcome, Ada!',
      'onboarding:m-1:welcome',
    );
    const retry = await discord.postMessage(
      ids.channels.general,
      'Welcome, Ada!',
      'onboarding:m-1:welcome',
    );
    expect(retry).toEqual(first);
    const other = await discord.postMessage(
      ids.channels.general,
      'Welcome, Grace!',
      'onboarding:m-2:welcome',
    );
    expect(other.messageId).not.toBe(first.messageId);

    const messages = await inspect<SandboxMessage>('messages');
    expect(messages.map((m) => m.content)).toEqual(['Welcome, Ada!', 'Welcome, Grace!']);
    expect(messages[0]).toMatchObject({
      channel_id: ids.channels.general,
      nonce: expect.stringMatching(/^[0-9a-f]{25}$/),
    });
  });

  it('posts once when the answer to the first attempt was lost and the activity retries', async () => {
    // The sandbox creates the message, then drops the connection instead of answering.
    await fault({ drop: true });
    const lost = await discord
      .postMessage(ids.channels.support, 'Your ticket is #4521', 'handoff:discord:77:link')
      .catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: 'unavailable', retryable: true });
    expect(await inspect('messages')).toHaveLength(1);

    const retry = await discord.postMessage(
      ids.channels.support,
      'Your ticket is #4521',
      'handoff:discord:77:link',
    );
    const messages = await inspect<SandboxMessage>('messages');
    expect(messages).toHaveLength(1);
    expect(retry.messageId).toBe(messages[0]!.id);
  });

  it('replies in a thread, as a reply to one of its messages', async () => {
    const thread = ids.channels.loginHelp;
    const emitted = (await (
      await fetch(`${sandbox.url}/_sandbox/discord/emit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          t: 'MESSAGE_CREATE',
          d: { channel_id: thread, author: 'ada', content: 'I cannot log in' },
        }),
      })
    ).json()) as { d: { id: string } };
    const reply = await discord.replyInThread(
      thread,
      'A ticket was opened: #4521',
      'handoff:1',
      emitted.d.id,
    );
    expect(reply.channelId).toBe(thread);
    const plain = await discord.replyInThread(thread, 'An agent answered.', 'handoff:2');
    // A reply to a message that is gone is still posted, as a plain message.
    await discord.postMessage(thread, 'Still there?', 'handoff:3', {
      replyTo: '1213093380096999999',
    });

    const messages = await inspect<SandboxMessage>('messages');
    expect(messages).toHaveLength(3);
    expect(messages[0]).toMatchObject({
      channel_id: thread,
      channel_type: 11,
      message_reference: { message_id: emitted.d.id },
    });
    expect(messages.find((m) => m.id === plain.messageId)?.message_reference).toBeUndefined();
    expect(messages[2]?.message_reference).toBeUndefined();
  });

  it('opens a DM channel once per user and sends in it', async () => {
    const first = await discord.sendDirectMessage(
      ids.users.grace,
      'Welcome to the server!',
      'onboarding:g:dm-1',
    );
    const second = await discord.sendDirectMessage(
      ids.users.grace,
      'How is it going?',
      'onboarding:g:dm-2',
    );
    const retry = await discord.sendDirectMessage(
      ids.users.grace,
      'How is it going?',
      'onboarding:g:dm-2',
    );
    expect(second.channelId).toBe(first.channelId);
    expect(retry).toEqual(second);
    const messages = await inspect<SandboxMessage>('messages');
    expect(messages).toEqual([
      expect.objectContaining({
        channel_type: 1,
        recipient_id: ids.users.grace,
        content: 'Welcome to the server!',
      }),
      expect.objectContaining({
        channel_type: 1,
        recipient_id: ids.users.grace,
        content: 'How is it going?',
      }),
    ]);
  });

  it('fails a DM to a member who closed their DMs as invalid (50007), not as an auth problem', async () => {
    const error = await discord
      .sendDirectMessage(ids.users.linus, 'Hi!', 'k')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid', status: 403, retryable: false });
    expect((error as Error).message).toContain('50007');
  });

  it('reads a whole thread oldest first, paging with before', async () => {
    const thread = ids.channels.loginHelp;
    for (let i = 0; i < 130; i++) {
      const emitted = await fetch(`${sandbox.url}/_sandbox/discord/emit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          t: 'MESSAGE_CREATE',
          d: { channel_id: thread, author: i % 2 ? 'ada' : 'grace', content: `message ${i}` },
        }),
      });
      expect(emitted.status).toBe(200);
    }
    await discord.replyInThread(thread, 'A ticket was opened.', 'k');
    const transcript = await discord.fetchThread(thread);
    expect(transcript).toHaveLength(131);
    expect(transcript[0]).toMatchObject({
      content: 'message 0',
      authorUsername: 'grace',
      authorIsBot: false,
    });
    expect(transcript.at(-1)).toMatchObject({ content: 'A ticket was opened.', authorIsBot: true });
    expect(transcript.map((m) => m.content).slice(0, 130)).toEqual(
      Array.from({ length: 130 }, (_, i) => `message ${i}`),
    );
    expect((await discord.fetchThread(thread, { limit: 5 })).map((m) => m.content)).toEqual([
      'message 126',
      'message 127',
      'message 128',
      'message 129',
      'A ticket was opened.',
    ]);
  });
});
