import type { ChannelPoster, DirectMessenger, ThreadPoster } from '../ports.js';
import type { DiscordConnector } from './client.js';
import { discordThreadReplies } from './threads.js';

/*
 * Discord dedups by nonce on every post, so an earlier attempt needs no search. A repeated nonce
 * returns the earlier message without saying so: `created` stays unknown.
 */

/** Discord DMs go to user ids. */
export function discordMessenger(discord: DiscordConnector): DirectMessenger {
  return {
    async sendDirectMessage({ to, text, dedupKey }) {
      const message = await discord.sendDirectMessage(to.userId, text, dedupKey);
      return { messageId: message.messageId };
    },
    escape: escapeDiscordText,
  };
}

/**
 * A Discord thread is a channel of its own: the reply goes to the thread's id. A top-level
 * message's thread is started from it on the first reply (threads.ts).
 */
export function discordThreadPoster(discord: DiscordConnector): ThreadPoster {
  return discordThreadReplies(discord, escapeDiscordText);
}

/**
 * Member text made inert in Discord markdown: markdown marks and `<` escaped with a backslash
 * (no `<@id>`, `<#id>`, `<t:…>`), a zero-width space after `@` (no @everyone, @here) and a word
 * joiner inside `://` (no links). Posts ping no one anyway (allowed_mentions, client.ts).
 */
export function escapeDiscordText(value: string): string {
  return value
    .replace(/[\\*_~`|>#<[\]()-]/g, (mark) => `\\${mark}`)
    .replaceAll('@', '@\u200b')
    .replaceAll('://', ':\u2060//');
}

/** A post in a Discord channel (a channel id, as for a thread). */
export function discordChannelPoster(discord: DiscordConnector): ChannelPoster {
  const poster = discordThreadPoster(discord);
  return {
    postToChannel: (post) => poster.replyInThread({ ...post, threadId: post.channelId }),
    escape: escapeDiscordText,
  };
}
