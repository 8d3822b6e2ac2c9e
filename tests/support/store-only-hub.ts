import type { Server } from 'node:http';
import { inject } from 'vitest';
import type { MembersConfig } from '../../config/members.js';
import { createLogger } from '../../runtime/logger.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import { createApp } from '../../server/app.js';
import { createEventRouter } from '../../server/router.js';
import { webhookRoutes } from '../../server/webhooks.js';
import type { TestDb } from './db.js';
import { openTestDb } from './db.js';

/** Slack and a Discourse forum, with the secrets their deliveries are signed with. */
export const slackAndDiscourse = (secrets: {
  slack: string;
  discourse: string;
  forum: string;
}) => ({
  slack: { signingSecret: secrets.slack },
  discourse: {
    baseUrl: secrets.forum,
    apiKey: 'unused',
    apiUsername: 'system',
    webhookSecret: secrets.discourse,
  },
});

export interface StoreOnlyHub {
  t: TestDb;
  url: string;
  close: () => Promise<void>;
}

/**
 * The real webhook routes and community router, with no workflows and no journeys, on a free
 * port: every event is stored (event, member, ledger, roll-ups) and nothing else acts on it.
 * `connectors`: the connectors' settings, as in the config's `connectors:`.
 */
export async function startStoreOnlyHub(
  connectors: Record<string, unknown>,
  options: { members?: MembersConfig } = {},
): Promise<StoreOnlyHub> {
  const logger = createLogger('test');
  logger.level = 'silent';
  const t = await openTestDb();
  const route = createEventRouter({
    db: t.db,
    temporal: createTemporalClient(inject('temporalAddress'), 'default'),
    taskQueue: 'unused',
    workflows: {},
    ...(options.members ? { members: options.members } : {}),
    logger,
  });
  const app = createApp({
    logger,
    webhooks: webhookRoutes(connectors, { community: route }, logger),
    checks: {},
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    t,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await t.close();
    },
  };
}
