import { ConnectorError } from '../errors.js';
import type { Reactor, ThreadMessage, ThreadReader } from '../ports.js';
import type { SlackConnector } from './client.js';

/** Slack seconds.micros ts → ISO 8601 (millisecond precision is all a transcript needs). */
const isoFromTs = (ts: string) => new Date(Math.round(Number(ts) * 1000)).toISOString();

/**
 * A Slack thread read back: the root and its replies (conversations.replies, every page), the
 * newest `limit` kept. Names come from users.info, once per author, because Slack's messages
 * carry only the user id.
 */
export function slackThreadReader(slack: SlackConnector): ThreadReader {
  return {
    async readThread({ channelId, threadId, limit }) {
      const thread = (await slack.fetchThread(channelId, threadId)).slice(-Math.max(1, limit));
      const names = new Map<string, string | undefined>();
      for (const userId of new Set(thread.map((m) => m.user).filter((u) => u !== null))) {
        const user = await slack.lookupUser(userId);
        names.set(userId, user ? (user.realName ?? user.displayName ?? user.handle) : undefined);
      }
      return thread.map((m): ThreadMessage => ({
        messageId: m.ts,
        authorId: m.user ?? m.botId ?? '',
        authorName: m.user ? names.get(m.user) : undefined,
        text: m.text,
        postedAt: isoFromTs(m.ts),
        bot: m.botId !== null || m.subtype === 'bot_message',
      }));
    },
    permalink: ({ channelId, threadId }) => slack.permalink(channelId, threadId),
  };
}

/**
 * The emoji townhall's config names most, as Unicode, by their Slack names: reactions.add takes
 * a name, so a config written for Discord (✅) still works here.
 */
const SLACK_NAMES: Record<string, string> = {
  '✅': 'white_check_mark',
  '✔️': 'heavy_check_mark',
  '🎫': 'ticket',
  '👀': 'eyes',
  '👍': '+1',
  '🎉': 'tada',
};

/** `:white_check_mark:`, `white_check_mark` or a mapped Unicode emoji → Slack's name. */
export function slackEmojiName(emoji: string): string {
  const trimmed = emoji.trim();
  const name = SLACK_NAMES[trimmed] ?? trimmed.replace(/^:|:$/g, '');
  if (!/^[\w+'-]+(::skin-tone-[2-6])?$/.test(name))
    throw new ConnectorError(
      'invalid',
      `Slack reactions take an emoji name such as white_check_mark, not ${JSON.stringify(emoji)}`,
      { vendor: 'slack' },
    );
  return name;
}

/**
 * The bot's reaction on a Slack message. `messageId` is the message's ts, as events carry it,
 * or `<channel>:<ts>` as townhall's post receipts do.
 */
export function slackReactor(slack: SlackConnector): Reactor {
  return {
    async addReaction({ channelId, messageId, emoji }) {
      const [channel, ts] = messageId.includes(':')
        ? (messageId.split(':', 2) as [string, string])
        : [channelId, messageId];
      await slack.addReaction(channel, ts, slackEmojiName(emoji));
    },
  };
}
