import { slackEmulator } from '../../sandbox/slack/index.js';
import { defineConnector } from '../descriptor.js';
import { slackMessenger, slackThreadPoster, slackChannelPoster } from './capabilities.js';
import type { SlackConnector } from './client.js';
import { createSlackConnector } from './client.js';
import { slackCommandsInbound } from './commands.js';
import { slackConfigSchema } from './config.js';
import { slackInbound } from './inbound.js';
import { slackReactor, slackThreadReader } from './threads.js';

/** Posting needs the bot token; without it Slack is inbound only. */
function bot(client: SlackConnector | undefined): SlackConnector {
  if (!client) throw new Error('connectors.slack.botToken is needed to post on Slack');
  return client;
}
const needsBot = {
  what: 'a botToken',
  met: (config: { botToken?: string | undefined }) => config.botToken !== undefined,
};

/** Slack: the Events API and slash commands in; DMs, thread replies, reactions and thread reads (Web API). */
export const slack = defineConnector({
  id: 'slack',
  title: 'Slack',
  config: slackConfigSchema,
  inbound: [
    { path: '/webhooks/slack', family: 'community', receiver: slackInbound },
    { path: '/webhooks/slack/commands', family: 'community', receiver: slackCommandsInbound },
  ],
  connect: (config) =>
    config.botToken
      ? createSlackConnector({ botToken: config.botToken, apiUrl: config.apiUrl })
      : undefined,
  capabilities: {
    messenger: { requires: needsBot, create: (client) => slackMessenger(bot(client)) },
    threadPoster: { requires: needsBot, create: (client) => slackThreadPoster(bot(client)) },
    channelPoster: { requires: needsBot, create: (client) => slackChannelPoster(bot(client)) },
    threadReader: { requires: needsBot, create: (client) => slackThreadReader(bot(client)) },
    reactor: { requires: needsBot, create: (client) => slackReactor(bot(client)) },
  },
  // Slack's documented deep link: opens the member's profile in the Slack app.
  profileUrl: (_config, identity) =>
    `slack://user?team=${encodeURIComponent(identity.communityId)}&id=${encodeURIComponent(identity.userId)}`,
  redactHeaders: ['x-slack-signature'],
  // chat.postMessage allows about one message per second per channel; a DM is a channel.
  activitiesPerSecond: 1,
  sandbox: slackEmulator,
});
