import path from 'node:path';
import { discordEmulator } from '../../sandbox/discord/index.js';
import { defineConnector } from '../descriptor.js';
import { discordChannelPoster, discordMessenger, discordThreadPoster } from './capabilities.js';
import { createDiscordConnector } from './client.js';
import { discordConfigSchema } from './config.js';
import { startDiscordGateway } from './gateway.js';
import { discordInteractions } from './inbound.js';
import { discordReactor, discordThreadReader } from './threads.js';

/**
 * Discord: members, messages and reactions arrive over the gateway (a listener, run once);
 * slash commands as signed HTTP interactions; DMs, thread replies and reactions go out and
 * threads are read back over REST.
 */
export const discord = defineConnector({
  id: 'discord',
  title: 'Discord',
  config: discordConfigSchema,
  inbound: [{ path: '/webhooks/discord', family: 'community', receiver: discordInteractions }],
  listener: {
    start(config, { route, logger, dataDir }) {
      const gateway = startDiscordGateway({
        config,
        route,
        logger,
        // Dispatches the store or Temporal could not take yet survive a crash here.
        spoolFile: path.join(dataDir, 'discord-gateway.spool'),
      });
      return {
        ready: gateway.ready.catch((error: unknown) => {
          throw new Error(
            `could not connect to the Discord gateway (check connectors.discord.botToken and apiUrl): ${(error as Error).message}`,
          );
        }),
        stop: () => gateway.stop(),
      };
    },
  },
  connect: (config) => createDiscordConnector(config),
  capabilities: {
    messenger: { create: (client) => discordMessenger(client) },
    threadPoster: { create: (client) => discordThreadPoster(client) },
    channelPoster: { create: (client) => discordChannelPoster(client) },
    threadReader: { create: (client, config) => discordThreadReader(client, config.guildId) },
    reactor: { create: (client) => discordReactor(client) },
  },
  profileUrl: (_config, identity) =>
    `https://discord.com/users/${encodeURIComponent(identity.userId)}`,
  redactHeaders: ['x-signature-ed25519'],
  // Discord allows 50 requests a second per bot; a DM is two (open the channel, post).
  activitiesPerSecond: 20,
  sandbox: discordEmulator,
});
