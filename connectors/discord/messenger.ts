import type { DirectMessenger } from '../community.js';
import type { DiscordConnector } from './client.js';

/**
 * Discord DMs go to user ids. A repeated nonce returns the earlier message without saying so,
 * so this messenger cannot tell a first send from a deduplicated one: `created` stays unknown.
 */
export function discordMessenger(discord: DiscordConnector): DirectMessenger {
  return {
    async sendDirectMessage({ to, text, dedupKey }) {
      const message = await discord.sendDirectMessage(to.userId, text, dedupKey);
      return { messageId: message.messageId };
    },
  };
}
