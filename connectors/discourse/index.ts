import { discourseEmulator } from '../../sandbox/discourse/index.js';
import { defineConnector } from '../descriptor.js';
import { discourseMessenger, discourseThreadPoster } from './capabilities.js';
import { createDiscourseConnector } from './client.js';
import { discourseConfigSchema } from './config.js';
import { discourseInbound } from './inbound.js';
import { discourseReactor, discourseThreadReader } from './threads.js';

/**
 * Discourse: signed webhooks in; private messages, topic replies and likes out, topics read back
 * (Admin API).
 */
export const discourse = defineConnector({
  id: 'discourse',
  title: 'Discourse',
  config: discourseConfigSchema,
  inbound: [{ path: '/webhooks/discourse', family: 'community', receiver: discourseInbound }],
  connect: (config) => createDiscourseConnector(config),
  capabilities: {
    messenger: { create: (client) => discourseMessenger(client) },
    threadPoster: { create: (client) => discourseThreadPoster(client) },
    threadReader: { create: (client, config) => discourseThreadReader(client, config) },
    // A like: Discourse's core has no emoji reactions (threads.ts).
    reactor: { create: (client) => discourseReactor(client) },
  },
  // Profiles live at /u/<username>; without the forum's address or a username there is no link.
  profileUrl: (config, identity) =>
    config && identity.handle
      ? `${config.baseUrl.replace(/\/+$/, '')}/u/${encodeURIComponent(identity.handle)}`
      : undefined,
  redactHeaders: ['x-discourse-event-signature', 'api-key'],
  // Discourse's default admin API limit is 60 requests a minute.
  activitiesPerSecond: 1,
  sandbox: discourseEmulator,
});
