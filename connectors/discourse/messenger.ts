import { ConnectorError } from '../errors.js';
import type { DirectMessenger } from '../community.js';
import type { DiscourseConnector } from './client.js';

/** Discourse private messages go to usernames; the identity's handle is the username. */
export function discourseMessenger(discourse: DiscourseConnector): DirectMessenger {
  return {
    async sendDirectMessage({ to, text, subject, dedupKey }) {
      if (!to.handle)
        throw new ConnectorError('invalid', 'Discourse private messages need a username', {
          vendor: 'discourse',
        });
      const post = await discourse.sendPrivateMessage({
        recipients: [to.handle],
        title: subject,
        raw: text,
        dedupKey,
      });
      return { messageId: String(post.postId), created: post.created };
    },
  };
}
