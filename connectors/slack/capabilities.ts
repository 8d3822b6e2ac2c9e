import type { ChannelPoster, DirectMessenger, ThreadPoster } from '../ports.js';
import type { PostedMessage, SlackConnector } from './client.js';

/** A Slack message id, `<channel>:<ts>`: unique in the workspace. */
const receipt = (post: PostedMessage) => ({
  messageId: `${post.channel}:${post.ts}`,
  created: post.created,
  // Replies to a post go in the thread its ts roots.
  threadId: post.ts,
});

/** Slack DMs go to user ids. */
export function slackMessenger(slack: SlackConnector): DirectMessenger {
  return {
    async sendDirectMessage({ to, text, dedupKey, earlierAttemptSince }) {
      return receipt(
        await slack.sendDirectMessage(to.userId, text, { dedupKey, earlierAttemptSince }),
      );
    },
    escape: escapeSlackText,
  };
}

/** A reply in a Slack thread: the channel plus the root message's ts. */
export function slackThreadPoster(slack: SlackConnector): ThreadPoster {
  return {
    async replyInThread({ channelId, threadId, text, dedupKey, earlierAttemptSince }) {
      return receipt(
        await slack.replyInThread(channelId, threadId, text, { dedupKey, earlierAttemptSince }),
      );
    },
    escape: escapeSlackText,
  };
}

/**
 * Member text made inert in Slack's mrkdwn: `&`, `<` and `>` as Slack's own escapes (no
 * `<!channel>`, `<@U…>` or `<url|label>`), and a word joiner after `:` and `.` inside
 * words, so `https://x.example` and `x.example` are never turned into links.
 */
export function escapeSlackText(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/([.:@])(?=\S)/g, '$1\u2060')
    .replace(/[*_~`]/g, (mark) => `\u2060${mark}\u2060`);
}

/** A top-level post in a Slack channel. */
export function slackChannelPoster(slack: SlackConnector): ChannelPoster {
  return {
    async postToChannel({ channelId, text, dedupKey, earlierAttemptSince }) {
      return receipt(await slack.postToChannel(channelId, text, { dedupKey, earlierAttemptSince }));
    },
    escape: escapeSlackText,
  };
}
