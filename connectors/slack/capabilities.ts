import type { DirectMessenger, ThreadPoster } from '../ports.js';
import type { PostedMessage, SlackConnector } from './client.js';

/** A Slack message id, `<channel>:<ts>`: unique in the workspace. */
const receipt = (post: PostedMessage) => ({
  messageId: `${post.channel}:${post.ts}`,
  created: post.created,
});

/** Slack DMs go to user ids. */
export function slackMessenger(slack: SlackConnector): DirectMessenger {
  return {
    async sendDirectMessage({ to, text, dedupKey, earlierAttemptSince }) {
      return receipt(
        await slack.sendDirectMessage(to.userId, text, { dedupKey, earlierAttemptSince }),
      );
    },
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
  };
}
