import { z } from 'zod';

/** Mirrors `connectors.discord` in config/schema.ts: one application serving one guild. */
export const discordConfigSchema = z.object({
  applicationId: z.string().min(1),
  /** Ed25519 public key (64 hex characters) that signs HTTP interactions. */
  publicKey: z.string().regex(/^[0-9a-f]{64}$/i),
  botToken: z.string().min(1),
  guildId: z.string().min(1),
  /** REST base without the version, e.g. https://discord.com/api (the default). */
  apiUrl: z.url().optional(),
});
export type DiscordConfig = z.output<typeof discordConfigSchema>;

export const DISCORD_API = 'https://discord.com/api';
