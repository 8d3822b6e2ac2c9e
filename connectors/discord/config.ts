import { z } from 'zod';

/** `connectors.discord`: one application serving one guild. */
export const discordConfigSchema = z.strictObject({
  applicationId: z.string().min(1).describe('Application ID (General Information page)'),
  publicKey: z
    .string()
    .regex(
      /^[0-9a-f]{64}$/i,
      'expected the 64-hex-character public key from the General Information page',
    )
    .describe('Ed25519 public key that signs HTTP interactions'),
  botToken: z.string().min(1).describe('Bot token (Bot page)'),
  guildId: z.string().min(1).describe('The server (guild) townhall serves'),
  apiUrl: z.url().optional().describe('REST base URL; defaults to https://discord.com/api'),
});
export type DiscordConfig = z.output<typeof discordConfigSchema>;

export const DISCORD_API = 'https://discord.com/api';
