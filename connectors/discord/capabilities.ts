import type { DirectMessenger, ThreadPoster } from '../ports.js';
import type { DiscordConnector } from './client.js';

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
  };
}

/** A Discord thread is a channel of its own: the reply goes to the thread's id. */
export function discordThreadPoster(discord: DiscordConnector): ThreadPoster {
  return {
    async replyInThread({ threadId, text, dedupKey }) {
      const message = await discord.replyInThread(threadId, text, dedupKey);
      return { messageId: message.messageId };
    },
  };
}
