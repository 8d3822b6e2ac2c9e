// An application's Ed25519 key pair and its connectors.discord config, for
// discord-interactions-*.test.ts.
import { generateKeyPairSync } from 'node:crypto';
import type { DiscordConfig } from '../../connectors/discord/config.js';

export const keyPair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { privateKey, publicKeyHex: Buffer.from(x, 'base64url').toString('hex') };
};
export const app = keyPair();

export const config: DiscordConfig = {
  applicationId: '1213093380096000002',
  publicKey: app.publicKeyHex,
  botToken: 'unused',
  guildId: '1199384020519211018',
};
