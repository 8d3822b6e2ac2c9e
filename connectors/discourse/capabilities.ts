import { ConnectorError } from '../errors.js';
import type { DirectMessenger, ThreadPoster } from '../ports.js';
import type { DiscourseConnector } from './client.js';

/*
 * Discourse posts carry their dedup key (topics and PMs as external_id, replies as a hidden
 * marker), and every create looks for it first, so an earlier attempt needs no extra search.
 */

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
    escape: escapeDiscourseText,
  };
}

/**
 * Member text made inert in a Discourse post (Markdown with some HTML): Markdown marks, `<` and
 * `&` escaped with a backslash or as entities, a zero-width space after `@` (no mentions, no
 * @group pings) and a word joiner inside `://` and after a `.` inside a word (no links, no
 * onebox: Discourse links bare `evil.com` and `www.` names too, markdown_linkify_tlds).
 */
export function escapeDiscourseText(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replace(/[\\*_~`|>#[\]()!-]/g, (mark) => `\\${mark}`)
    .replaceAll('@', '@\u200b')
    .replaceAll('://', ':\u2060//')
    .replace(/\.(?=\S)/g, '.\u2060');
}

/** A Discourse thread is a topic: the reply goes to the topic id. */
export function discourseThreadPoster(discourse: DiscourseConnector): ThreadPoster {
  return {
    async replyInThread({ threadId, text, dedupKey }) {
      const topicId = Number(threadId);
      if (!Number.isInteger(topicId))
        throw new ConnectorError('invalid', 'a Discourse thread id is a topic number', {
          vendor: 'discourse',
        });
      const post = await discourse.replyToTopic({ topicId, raw: text, dedupKey });
      return { messageId: String(post.postId), created: post.created };
    },
    escape: escapeDiscourseText,
  };
}
