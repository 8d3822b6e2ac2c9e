import { describe, expect, it } from 'vitest';
import { discordThreadPoster } from '../../connectors/discord/capabilities.js';
import { discordReactor, discordThreadReader } from '../../connectors/discord/threads.js';
import type { SandboxMessage } from '../support/discord-client.js';
import {
  api,
  discord,
  fault,
  ids,
  inspect,
  sandbox,
  useDiscordEmulator,
} from '../support/discord-client.js';

/**
 * ThreadReader, Reactor and thread replies on Discord through the real REST client against the
 * emulator: thread channels, and top-level messages whose thread starts on the first reply.
 */

useDiscordEmulator();

async function emit(t: string, d: Record<string, unknown>) {
  const response = await fetch(`${sandbox.url}/_sandbox/discord/emit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ t, d }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { d: { id: string } }).d;
}
const say = (channelId: string, author: string, content: string) =>
  emit('MESSAGE_CREATE', { channel_id: channelId, author, content });

async function reactions() {
  return (await (await fetch(`${sandbox.url}/_sandbox/discord/reactions`)).json()) as {
    channel_id: string;
    message_id: string;
    emoji: string;
    user_ids: string[];
  }[];
}

const guild = () => sandbox.emulators.discord.guildId;
const reader = () => discordThreadReader(discord, guild());

describe('Discord thread reader, reactor and thread replies', () => {
  it('reads a thread channel in order with its authors, the newest kept when cut', async () => {
    const thread = ids.channels.loginHelp;
    await say(thread, 'ada', 'I cannot log in');
    await say(thread, 'grace', 'Did you reset your password?');
    await discordThreadPoster(discord).replyInThread({
      channelId: ids.channels.support,
      threadId: thread,
      text: 'A ticket was opened: #4521',
      dedupKey: 'handoff:discord:1:link',
    });
    const read = await reader().readThread({
      channelId: ids.channels.support,
      threadId: thread,
      limit: 50,
    });
    expect(read.map((m) => [m.authorName, m.text, m.bot])).toEqual([
      ['Ada Lovelace', 'I cannot log in', false],
      ['Grace Hopper', 'Did you reset your password?', false],
      ['townhall-sandbox', 'A ticket was opened: #4521', true],
    ]);
    expect(read[0]).toMatchObject({ authorId: ids.users.ada });
    expect(read[0]!.postedAt).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    const cut = await reader().readThread({
      channelId: ids.channels.support,
      threadId: thread,
      limit: 1,
    });
    expect(cut.map((m) => m.text)).toEqual(['A ticket was opened: #4521']);
    expect(await reader().permalink({ channelId: ids.channels.support, threadId: thread })).toBe(
      `https://discord.com/channels/${guild()}/${thread}`,
    );
  });

  it('replies to a top-level message by starting its thread: one thread, one post', async () => {
    const channelId = ids.channels.support;
    const question = await say(channelId, 'ada', 'Where is my invoice for March?');
    const threadId = question.id;
    // Before any reply the message is the whole thread, and its link is the message's.
    expect(await reader().readThread({ channelId, threadId, limit: 10 })).toEqual([
      expect.objectContaining({ messageId: threadId, text: 'Where is my invoice for March?' }),
    ]);
    expect(await reader().permalink({ channelId, threadId })).toBe(
      `https://discord.com/channels/${guild()}/${channelId}/${threadId}`,
    );

    const poster = discordThreadPoster(discord);
    const reply = {
      channelId,
      threadId,
      text: 'A ticket was opened: #4522',
      dedupKey: 'handoff:discord:2:link',
    };
    const first = await poster.replyInThread(reply);
    const again = await poster.replyInThread(reply);
    expect(again).toEqual(first);

    const thread = await api('GET', `/channels/${threadId}`);
    expect(thread.body).toMatchObject({
      id: threadId,
      type: 11,
      parent_id: channelId,
      name: 'Support: Where is my invoice for March?',
    });
    const posts = await inspect<SandboxMessage>('messages');
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ id: first.messageId, channel_id: threadId });
    // Discord refuses a second thread on the same message.
    expect(
      (await api('POST', `/channels/${channelId}/messages/${threadId}/threads`, { name: 'x' }))
        .body,
    ).toMatchObject({ code: 160004 });

    // Now a thread: the starter message (read from the channel) then the reply; the starter
    // notice Discord puts in the thread is not a message anyone wrote.
    const read = await reader().readThread({ channelId, threadId, limit: 10 });
    expect(read.map((m) => [m.messageId, m.text])).toEqual([
      [threadId, 'Where is my invoice for March?'],
      [first.messageId, 'A ticket was opened: #4522'],
    ]);
    expect(await reader().permalink({ channelId, threadId })).toBe(
      `https://discord.com/channels/${guild()}/${threadId}`,
    );
  });

  it('posts once when the answer to starting the thread was lost and the reply is retried', async () => {
    const channelId = ids.channels.general;
    const { id: threadId } = await say(channelId, 'grace', 'The app crashes on start');
    await fault({ drop: true, path: '/threads' });
    const reply = { channelId, threadId, text: 'Ticket #4523', dedupKey: 'handoff:discord:3' };
    const poster = discordThreadPoster(discord);
    expect(await poster.replyInThread(reply).catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
    });
    const retried = await poster.replyInThread(reply);
    const posts = await inspect<SandboxMessage>('messages');
    expect(posts.map((m) => [m.id, m.channel_id])).toEqual([[retried.messageId, threadId]]);
  });

  it('answers not_found for a thread id that is neither a channel nor a message', async () => {
    const missing = { channelId: ids.channels.support, threadId: '1234567890123456789' };
    const poster = discordThreadPoster(discord);
    expect(
      await poster
        .replyInThread({ ...missing, text: 'Hello there', dedupKey: 'k' })
        .catch((e: unknown) => e),
    ).toMatchObject({ code: 'not_found' });
    expect(
      await reader()
        .readThread({ ...missing, limit: 5 })
        .catch((e: unknown) => e),
    ).toMatchObject({ code: 'not_found' });
  });

  it('reacts once with Unicode or a known shortcode', async () => {
    const channelId = ids.channels.support;
    const { id: messageId } = await say(channelId, 'ada', 'Thanks, solved!');
    const reactor = discordReactor(discord);
    await reactor.addReaction({ channelId, messageId, emoji: '✅' });
    await reactor.addReaction({ channelId, messageId, emoji: 'white_check_mark' });
    await reactor.addReaction({ channelId, messageId, emoji: ':white_check_mark:' });
    await reactor.addReaction({ channelId, messageId, emoji: 'ticket' });
    expect(await reactions()).toEqual([
      { channel_id: channelId, message_id: messageId, emoji: '✅', user_ids: [ids.bot] },
      { channel_id: channelId, message_id: messageId, emoji: '🎫', user_ids: [ids.bot] },
    ]);
    const message = await api('GET', `/channels/${channelId}/messages/${messageId}`);
    expect(message.body?.reactions).toEqual([
      expect.objectContaining({ emoji: { id: null, name: '✅' }, count: 1, me: true }),
      expect.objectContaining({ emoji: { id: null, name: '🎫' }, count: 1, me: true }),
    ]);

    expect(
      await reactor
        .addReaction({ channelId, messageId, emoji: 'not_an_emoji' })
        .catch((e: unknown) => e),
    ).toMatchObject({ code: 'invalid' });
    // Discord's own answer to a shortcode in the URL: 10014 Unknown Emoji.
    expect(
      (await api('PUT', `/channels/${channelId}/messages/${messageId}/reactions/eyes/@me`)).body,
    ).toMatchObject({ code: 10014 });
  });

  it("reacts to a forum post's first message, which lives in the post's own thread", async () => {
    const post = await emit('THREAD_CREATE', {
      type: 11,
      name: 'Export fails',
      parent_id: ids.channels.support,
    });
    await emit('MESSAGE_CREATE', {
      id: post.id,
      channel_id: post.id,
      author: 'ada',
      content: 'CSV export fails',
    });
    await discordReactor(discord).addReaction({
      channelId: ids.channels.support,
      messageId: post.id,
      emoji: '✅',
    });
    expect(await reactions()).toEqual([
      { channel_id: post.id, message_id: post.id, emoji: '✅', user_ids: [ids.bot] },
    ]);
  });
});
