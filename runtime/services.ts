import type { Server } from 'node:http';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { ActivityDeps } from '../activities/index.js';
import type { LoadedConfig } from '../config/load.js';
import { createEmailConnector } from '../connectors/email/smtp.js';
import { createTemplateRenderer } from '../connectors/email/templates.js';
import type { DirectMessenger, Platform } from '../connectors/community.js';
import { createDiscordConnector } from '../connectors/discord/client.js';
import { discordMessenger } from '../connectors/discord/messenger.js';
import { createDiscourseConnector } from '../connectors/discourse/client.js';
import { discourseMessenger } from '../connectors/discourse/messenger.js';
import { createHubSpotConnector } from '../connectors/hubspot/client.js';
import { createZendeskConnector } from '../connectors/zendesk/client.js';
import { createSlackConnector } from '../connectors/slack/client.js';
import { slackMessenger } from '../connectors/slack/messenger.js';
import { createSlackPostLedger } from '../store/slack-posts.js';
import { createApp } from '../server/app.js';
import { storeCheck, temporalCheck } from '../server/health.js';
import { createBusinessEventRouter } from '../server/business-router.js';
import type { EventRouter } from '../server/router.js';
import { createEventRouter } from '../server/router.js';
import { unsubscribeRoutes } from '../server/routes/unsubscribe.js';
import { webhookRoutes } from '../server/webhooks.js';
import type { Db } from '../store/db.js';
import { openDb } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';
import type { Settings } from './settings.js';

/** Opens PostgreSQL (DATABASE_URL) or the embedded PGlite, and migrates it. */
export async function openStore(settings: Settings, logger: Logger): Promise<Db> {
  const { db, kind } = await openDb({
    url: settings.databaseUrl,
    pgliteDir: path.join(settings.dataDir, 'pglite'),
  });
  const applied = await migrateToLatest(db);
  logger.info({ store: kind, migrationsApplied: applied.length }, 'store ready');
  return db;
}

/** Connectors for the activities, built from the config's connectors section. */
/** The address inside `Name <address>`, or the whole string when it is a bare address. */
function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
}

export function activityDeps(
  loaded: LoadedConfig,
  settings: Settings,
  db: Db,
  logger: Logger,
): ActivityDeps {
  const { hubspot, email, discourse, discord, slack, zendesk } = loaded.config.connectors;
  const messengers: Partial<Record<Platform, DirectMessenger>> = {};
  if (discourse) messengers.discourse = discourseMessenger(createDiscourseConnector(discourse));
  if (discord) messengers.discord = discordMessenger(createDiscordConnector(discord));
  if (slack?.botToken)
    messengers.slack = slackMessenger(
      createSlackConnector(
        { botToken: slack.botToken, apiUrl: slack.apiUrl },
        { ledger: createSlackPostLedger(db) },
      ),
    );
  return {
    db,
    logger,
    hubspot: hubspot ? createHubSpotConnector(hubspot) : undefined,
    messengers,
    zendesk: zendesk ? createZendeskConnector(zendesk) : undefined,
    email: email
      ? {
          connector: createEmailConnector(email.smtp),
          from: email.from,
          unsubscribe: {
            secret: email.unsubscribeSecret,
            baseUrl: publicUrl(loaded, settings),
            mailto: email.unsubscribeMailto ?? addressOf(email.from),
          },
          render: createTemplateRenderer(path.resolve(loaded.dir, email.templatesDir)),
        }
      : undefined,
  };
}

/** Where members reach the server: server.publicUrl, else the local listening address. */
export function publicUrl(loaded: LoadedConfig, settings: Settings): string {
  const host = settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host;
  return loaded.config.server.publicUrl ?? `http://${host}:${settings.port}`;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Where community events go, from webhooks and from the Discord gateway alike. */
export function communityRouter(
  loaded: LoadedConfig,
  settings: Settings,
  db: Db,
  temporal: Client,
  logger: Logger,
): EventRouter {
  return createEventRouter({
    db,
    temporal,
    taskQueue: settings.temporal.taskQueue,
    onboarding: loaded.config.workflows.onboarding,
    logger,
  });
}

export async function startHttpServer(
  loaded: LoadedConfig,
  settings: Settings,
  db: Db,
  route: EventRouter,
  temporal: Client,
  logger: Logger,
): Promise<RunningServer> {
  const app = createApp({
    logger,
    webhooks: webhookRoutes(
      loaded.config.connectors,
      route,
      logger,
      createBusinessEventRouter({ db, logger }),
    ),
    checks: { store: storeCheck(db), temporal: temporalCheck(temporal) },
    routers: loaded.config.connectors.email
      ? [
          unsubscribeRoutes({
            db,
            logger,
            secret: loaded.config.connectors.email.unsubscribeSecret,
          }),
        ]
      : [],
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(settings.port, settings.host, () => resolve(listening));
    listening.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  return {
    url: `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
