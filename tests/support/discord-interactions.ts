// An application's Ed25519 key pair and its connectors.discord config, for
// discord-interactions-*.test.ts.
import type { DiscordConfig } from '../../connectors/discord/config.js';
import { interactionKeys } from '../../sandbox/discord/interactions.js';

/** A new key pair (the sandbox's way: from a random seed, see interactionKeys). */
export const keyPair = () => interactionKeys();
export const app = keyPair();

export const config: DiscordConfig = {
  applicationId: '1213093380096000002',
  publicKey: app.publicKeyHex,
  botToken: 'unused',
  guildId: '1199384020519211018',
};
