import type { DiscordConfig } from '../../connectors/discord/config.js';
import type { DiscordEmulatorOptions } from '../../sandbox/discord/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { freePort } from './ports.js';

/** A sandbox whose Discord emulator accepts `botToken`, tuned for short tests. */
export async function startDiscordSandbox(
  botToken: string,
  tuning: Partial<DiscordEmulatorOptions> = {},
): Promise<Sandbox> {
  return startSandbox({
    port: await freePort(),
    vendors: { discord: { ...tuning, botToken } },
  });
}

/** connectors.discord pointed at that sandbox's guild and REST API. */
export const discordConfigFor = (
  sandbox: Sandbox,
  botToken: string,
  overrides: Partial<DiscordConfig> = {},
): DiscordConfig => ({
  applicationId: sandbox.emulators.discord.applicationId,
  publicKey: sandbox.emulators.discord.publicKey,
  botToken,
  guildId: sandbox.emulators.discord.guildId,
  apiUrl: `${sandbox.url}/api`,
  ...overrides,
});
