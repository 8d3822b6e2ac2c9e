import type { CommunityEvent, CommunityMember } from '../events.js';
import type { RedditComment, RedditPost } from './things.js';
import { isGone } from './things.js';

/**
 * Reddit things as normalized events. A member is their username: Reddit never renames an
 * account, and the name is what private messages are addressed to and all modmail shows.
 * A subreddit is both the community and the channel; a post is a thread.
 */

export interface Subreddit {
  /** Lower-cased: Reddit's names are case-insensitive. */
  name: string;
  /** Lower-cased usernames of its moderators. */
  moderators: ReadonlySet<string>;
  /** Where people open posts (config webUrl). */
  webUrl: string;
  /** Lower-cased username of the bot townhall posts as: its own words are not member activity. */
  bot: string;
}

/** `[deleted]`: the account is gone, and with it anyone to attribute the words to. */
export const isDeletedAuthor = (author: string) => author === '[deleted]' || author === '';

const COMMAND = /^!([a-z][a-z0-9_-]*)\b\s*([\s\S]*)$/i;

function memberOf(author: string, subreddit: Subreddit): CommunityMember {
  return {
    userId: author,
    communityId: subreddit.name,
    handle: author,
    name: author,
    roles: subreddit.moderators.has(author.toLowerCase()) ? ['moderator'] : [],
  };
}

const at = (createdUtc: number) => new Date(Math.round(createdUtc * 1000)).toISOString();
const urlOf = (subreddit: Subreddit, permalink: string | undefined) =>
  permalink ? `${subreddit.webUrl.replace(/\/+$/, '')}${permalink}` : undefined;

/**
 * Reddit has no join event: the first post or comment of an author in the subreddit stands for
 * it. Its id is the same every time the author is seen, so the store keeps the first alone.
 */
export function joinedEvent(author: string, createdUtc: number, subreddit: Subreddit) {
  return {
    eventId: `reddit:joined:${subreddit.name}:${author.toLowerCase()}`,
    platform: 'reddit',
    occurredAt: at(createdUtc),
    type: 'member.joined',
    member: memberOf(author, subreddit),
  } satisfies CommunityEvent;
}

export function postEvent(post: RedditPost, subreddit: Subreddit): CommunityEvent {
  const body = isGone(post.selftext) ? '' : post.selftext;
  const url = urlOf(subreddit, post.permalink);
  return {
    eventId: `reddit:${post.name}`,
    platform: 'reddit',
    occurredAt: at(post.created_utc),
    type: 'message.posted',
    member: memberOf(post.author, subreddit),
    channelId: subreddit.name,
    threadId: post.name,
    messageId: post.name,
    text: body ? `${post.title}\n\n${body}` : post.title,
    startsThread: true,
    ...(url ? { url } : {}),
  };
}

/**
 * A comment is a message in its post's thread. A moderator's `!word` comment is a command
 * (`!ticket`): Reddit has no slash commands, and only moderators may give one, so a member
 * cannot open tickets for others' threads by typing it.
 */
export function commentEvent(comment: RedditComment, subreddit: Subreddit): CommunityEvent {
  const member = memberOf(comment.author, subreddit);
  const text = isGone(comment.body) ? '' : comment.body;
  const command = COMMAND.exec(text.trim());
  if (command && member.roles?.includes('moderator'))
    return {
      eventId: `reddit:${comment.name}`,
      platform: 'reddit',
      occurredAt: at(comment.created_utc),
      type: 'command.invoked',
      member,
      command: command[1]!.toLowerCase(),
      text: command[2]!.trim(),
      channelId: subreddit.name,
      threadId: comment.link_id,
    };
  const url = urlOf(subreddit, comment.permalink);
  return {
    eventId: `reddit:${comment.name}`,
    platform: 'reddit',
    occurredAt: at(comment.created_utc),
    type: 'message.posted',
    member,
    channelId: subreddit.name,
    threadId: comment.link_id,
    messageId: comment.name,
    text,
    ...(url ? { url } : {}),
  };
}

/** A modmail message: a thread of its own in the subreddit's `modmail` channel. */
export function modmailEvent(
  message: { id: string; bodyMarkdown: string; author: { name: string }; date: string },
  conversationId: string,
  subreddit: Subreddit,
): CommunityEvent {
  return {
    eventId: `reddit:modmail:${message.id}`,
    platform: 'reddit',
    occurredAt: new Date(message.date).toISOString(),
    type: 'message.posted',
    member: memberOf(message.author.name, subreddit),
    channelId: 'modmail',
    threadId: `modmail:${conversationId}`,
    messageId: `modmail:${message.id}`,
    text: message.bodyMarkdown,
  };
}
