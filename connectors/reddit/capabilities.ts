import { ConnectorError } from '../errors.js';
import type { DirectMessenger, ThreadPoster } from '../ports.js';
import type { RedditConnector } from './client.js';

/** Reddit caps a private message's subject at 100 characters. */
const SUBJECT_MAX = 100;

/**
 * Member text made inert in Reddit Markdown: `&` as an entity (Reddit reads entities), Markdown
 * marks and list numbers escaped with a backslash, indents cut (no code blocks), a zero-width
 * joiner in u/ and r/ (no username pings, no subreddit links), a zero-width space after @ and a
 * word joiner inside :// and www. (no autolinks, no mailto links).
 */
export function escapeRedditText(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replace(/[\\*_~`^|>#[\]()!+=-]/g, (mark) => `\\${mark}`)
    .replace(/^(\s*\d+)\./gm, '$1\\.')
    .replace(/^ +/gm, ' ')
    .replace(/([ur])\//gi, '$1\u200d/')
    .replaceAll('@', '@\u200b')
    .replaceAll('://', ':\u2060//')
    .replace(/www\./gi, (www) => `${www.slice(0, 3)}\u2060.`);
}

/** A Reddit private message, addressed by username (the identity's user id). */
export function redditMessenger(reddit: RedditConnector): DirectMessenger {
  return {
    async sendDirectMessage({ to, text, subject, dedupKey, earlierAttemptSince }) {
      const sent = await reddit.compose({
        to: to.handle ?? to.userId,
        subject: subject.replace(/[\r\n]+/g, ' ').slice(0, SUBJECT_MAX),
        text,
        dedupKey,
        earlierAttemptSince,
      });
      return { messageId: sent.name ?? `message:${dedupKey}`, created: sent.created };
    },
    escape: escapeRedditText,
  };
}

/** A thread is a post (t3_…): the reply is a top-level comment under it. */
export function redditThreadPoster(reddit: RedditConnector): ThreadPoster {
  return {
    async replyInThread({ threadId, text, dedupKey, earlierAttemptSince }) {
      if (!/^t[13]_[a-z0-9]+$/.test(threadId))
        throw new ConnectorError(
          'invalid',
          'townhall replies on Reddit under a post or a comment (t3_… or t1_…); modmail replies are not supported',
          { vendor: 'reddit' },
        );
      const posted = await reddit.comment({
        parent: threadId,
        text,
        dedupKey,
        earlierAttemptSince,
      });
      return { messageId: posted.name ?? threadId, created: posted.created, threadId };
    },
    escape: escapeRedditText,
  };
}
