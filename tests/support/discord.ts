import type { DiscordConfig } from '../../connectors/discord/config.js';
import type { Sandbox, SandboxOptions } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { freePort } from './ports.js';

/** A sandbox whose Discord emulator accepts `botToken`, tuned for short tests. */
export async function startDiscordSandbox(
  botToken: string,
  tuning: SandboxOptions['discord'] = {},
): Promise<Sandbox> {
  return startSandbox({
    port: await freePort(),
    smtpPort: await freePort(),
    hubspotAccessToken: 'unused',
    slackSigningSecret: 'unused',
    discordBotToken: botToken,
    discord: tuning,
  });
}

/** connectors.discord pointed at that sandbox's guild and REST API. */
export const discordConfigFor = (
  sandbox: Sandbox,
  botToken: string,
  overrides: Partial<DiscordConfig> = {},
): DiscordConfig => ({
  applicationId: sandbox.discord.applicationId,
  publicKey: sandbox.discord.publicKey,
  botToken,
  guildId: sandbox.discord.guildId,
  apiUrl: `${sandbox.url}/api`,
  ...overrides,
});
