import { ConnectorError } from '../errors.js';
import type { Reactor, ThreadMessage, ThreadPoster, ThreadReader } from '../ports.js';
import type { DiscordConnector, DiscordMessage, PostedMessage } from './client.js';
import { DISCORD_CODE, discordCodeOf } from './errors.js';
import { MESSAGE_TYPE } from './payloads.js';

/*
 * A handoff's thread on Discord is either a thread channel (a forum post or a thread: the event's
 * threadId) or, for a top-level message in a text channel, that message: Discord starts a thread
 * from a message under the message's own id, so the id names the thread before and after it
 * exists. Until then the channel is unknown (10003) and the message is the whole thread.
 */

/** What a thread started for a reply is called: the member's own first words. */
function threadName(starter: DiscordMessage | undefined): string {
  const words = starter?.content.replace(/\s+/g, ' ').trim() ?? '';
  if (!words) return 'Support';
  return `Support: ${words.length > 80 ? `${words.slice(0, 79)}…` : words}`;
}

/**
 * Posts in the thread; where threadId is a message of channelId with no thread yet, starts the
 * thread from it and posts there. The post's nonce is the same on every attempt, so a retry
 * after a lost answer (or a second call) returns the first post.
 */
export async function replyInDiscordThread(
  discord: DiscordConnector,
  input: { channelId: string; threadId: string; text: string; dedupKey: string },
): Promise<PostedMessage> {
  const { channelId, threadId, text, dedupKey } = input;
  try {
    return await discord.replyInThread(threadId, text, dedupKey);
  } catch (error) {
    if (threadId === channelId || discordCodeOf(error) !== DISCORD_CODE.unknownChannel) throw error;
  }
  const starter = await discord.fetchMessage(channelId, threadId);
  if (!starter)
    throw new ConnectorError(
      'not_found',
      `Discord thread reply failed: ${threadId} is neither a channel nor a message in ${channelId}`,
      { vendor: 'discord', status: 404 },
    );
  await discord.startThread(channelId, threadId, threadName(starter));
  return discord.replyInThread(threadId, text, dedupKey);
}

/** People talking and townhall's own posts; starter notices and other system messages are not. */
const spoken = (message: DiscordMessage) =>
  message.type === MESSAGE_TYPE.default || message.type === MESSAGE_TYPE.reply;

const toThreadMessage = (message: DiscordMessage): ThreadMessage => ({
  messageId: message.id,
  authorId: message.authorId,
  authorName: message.authorGlobalName ?? message.authorUsername,
  text: message.content,
  postedAt: new Date(message.timestamp).toISOString(),
  bot: message.authorIsBot,
});

/**
 * The thread's messages, oldest first. A thread started from a message holds a starter notice
 * (type 21) where that message would be; the message itself stays in the parent channel and is
 * read from there. A thread not started yet is its one message.
 */
async function readDiscordThread(
  discord: DiscordConnector,
  { channelId, threadId, limit }: { channelId: string; threadId: string; limit: number },
): Promise<ThreadMessage[]> {
  const max = Math.max(1, limit);
  let messages: DiscordMessage[];
  try {
    // One more than asked, for the starter notice that is dropped.
    messages = (await discord.fetchThread(threadId, { limit: max + 1 })).filter(spoken);
  } catch (error) {
    if (threadId === channelId || discordCodeOf(error) !== DISCORD_CODE.unknownChannel) throw error;
    const message = await discord.fetchMessage(channelId, threadId);
    if (!message) throw error;
    return [toThreadMessage(message)];
  }
  if (threadId !== channelId && !messages.some((m) => m.id === threadId)) {
    // A thread made without a message has no starter (10008): nothing to add then.
    const starter = await discord.fetchMessage(channelId, threadId);
    if (starter) messages.unshift(starter);
  }
  return messages.slice(-max).map(toThreadMessage);
}

/** Threads read back; links as Discord documents them (it has no permalink API). */
export function discordThreadReader(discord: DiscordConnector, guildId: string): ThreadReader {
  return {
    readThread: (input) => readDiscordThread(discord, input),
    async permalink({ channelId, threadId }) {
      const guild = encodeURIComponent(guildId);
      if (threadId === channelId || (await discord.fetchChannel(threadId)))
        return `https://discord.com/channels/${guild}/${encodeURIComponent(threadId)}`;
      // Not a thread yet: the message's link, which shows the thread once it starts.
      return `https://discord.com/channels/${guild}/${encodeURIComponent(channelId)}/${encodeURIComponent(threadId)}`;
    },
  };
}

/**
 * Shortcodes a config may use for the emoji townhall reacts with most. Discord's API takes
 * Unicode (or `name:id` for a guild's custom emoji), not shortcodes.
 */
const UNICODE_FOR: Record<string, string> = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  ticket: '🎫',
  eyes: '👀',
  thumbsup: '👍',
  '+1': '👍',
  tada: '🎉',
};

/**
 * The emoji as Discord's reaction URL takes it: Unicode as is, a known shortcode (`ticket`,
 * `:white_check_mark:`) as its Unicode, a custom emoji (`<:name:id>` or `name:id`) as `name:id`.
 */
export function discordEmoji(emoji: string): string {
  const trimmed = emoji.trim();
  const custom = /^<?a?:?(\w+):(\d{1,20})>?$/.exec(trimmed);
  if (custom) return `${custom[1]}:${custom[2]}`;
  const shortcode = trimmed.replace(/^:|:$/g, '');
  const mapped = UNICODE_FOR[shortcode];
  if (mapped) return mapped;
  if (/^[\w+-]+$/.test(shortcode))
    throw new ConnectorError(
      'invalid',
      `Discord reactions take a Unicode emoji (✅) or name:id for a custom one; the shortcodes known are ${Object.keys(UNICODE_FOR).join(', ')}, not ${JSON.stringify(emoji)}`,
      { vendor: 'discord' },
    );
  return trimmed;
}

/**
 * The bot's reaction on a message (in a channel or a thread, which is a channel). A forum post's
 * first message lives in the post's thread under the thread's own id, not in the forum channel
 * the event names: a message unknown there (10008) is looked for in the thread it would start.
 */
export function discordReactor(discord: DiscordConnector): Reactor {
  return {
    async addReaction({ channelId, messageId, emoji }) {
      const name = discordEmoji(emoji);
      try {
        await discord.addReaction(channelId, messageId, name);
      } catch (error) {
        if (messageId === channelId || discordCodeOf(error) !== DISCORD_CODE.unknownMessage)
          throw error;
        await discord.addReaction(messageId, messageId, name).catch(() => {
          throw error;
        });
      }
    },
  };
}

/** Thread replies that start the thread from a top-level message when it has none yet. */
export function discordThreadReplies(
  discord: DiscordConnector,
  escape: (value: string) => string,
): ThreadPoster {
  return {
    async replyInThread({ channelId, threadId, text, dedupKey }) {
      const message = await replyInDiscordThread(discord, { channelId, threadId, text, dedupKey });
      return { messageId: message.messageId };
    },
    escape,
  };
}
