import type { DirectMessenger } from '../community.js';
import type { SlackConnector } from './client.js';

/** Slack DMs go to user ids; the message id is `<DM channel>:<ts>`, unique in the workspace. */
export function slackMessenger(slack: SlackConnector): DirectMessenger {
  return {
    async sendDirectMessage({ to, text, dedupKey }) {
      const post = await slack.sendDirectMessage(to.userId, text, dedupKey);
      return { messageId: `${post.channel}:${post.ts}`, created: post.created };
    },
  };
}
