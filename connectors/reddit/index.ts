import { redditEmulator } from '../../sandbox/reddit/index.js';
import { defineConnector } from '../descriptor.js';
import { redditMessenger, redditThreadPoster } from './capabilities.js';
import { createRedditConnector } from './client.js';
import { redditConfigSchema } from './config.js';
import { redditThreadReader } from './threads.js';

/**
 * Reddit: subreddits polled (Reddit sends no webhooks) within the app's shared query budget;
 * comments and private messages out, threads (a post and its comments) read back.
 */
export const reddit = defineConnector({
  id: 'reddit',
  title: 'Reddit',
  config: redditConfigSchema,
  poller: {
    feeds: (config) => config.subreddits.map((name) => name.toLowerCase()),
    poll: (client, _config, feed, from) => client.poll(feed, from),
  },
  connect: createRedditConnector,
  capabilities: {
    messenger: { create: (client) => redditMessenger(client) },
    threadPoster: { create: (client) => redditThreadPoster(client) },
    threadReader: { create: (client) => redditThreadReader(client) },
  },
  profileUrl: (config, identity) =>
    `${(config?.webUrl ?? 'https://www.reddit.com').replace(/\/+$/, '')}/user/${encodeURIComponent(identity.handle ?? identity.userId)}`,
  redactHeaders: ['authorization'],
  sandbox: redditEmulator,
});
