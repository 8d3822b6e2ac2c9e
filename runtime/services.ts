import { providersOf } from '../config/capabilities.js';
import { consoleRoutes } from '../server/console/routes.js';
import type { CallObserver } from './connector-health.js';
import { healthRecorder } from './connector-health.js';
import { storeBudgets } from '../store/rate-budget.js';
import type { Server } from 'node:http';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { ActivityDeps } from '../activities/index.js';
import { resolveProvider } from '../config/capabilities.js';
import type { LoadedConfig } from '../config/load.js';
import type { ConnectorContext } from '../connectors/descriptor.js';
import { registry } from '../connectors/index.js';
import type { Mailer } from '../connectors/ports.js';
import { createApp } from '../server/app.js';
import { storeCheck, temporalCheck } from '../server/health.js';
import { createBusinessEventRouter } from '../server/business-router.js';
import type { EventRouter } from '../server/router.js';
import { createEventRouter } from '../server/router.js';
import { createHandoffRouter } from '../server/handoff.js';
import { createQuarantine } from '../server/quarantine.js';
import { adminRouters } from '../server/routes/members-api.js';
import type { CodecRouteDeps } from '../server/routes/codec.js';
import { codecRouters } from '../server/routes/codec.js';
import { signalMember } from '../server/journeys.js';
import { erasureApiRoutes } from '../server/routes/erasure-api.js';
import type { ErasureRequestDeps } from '../server/erasure.js';
import { requestErasure } from '../server/erasure.js';
import { unsubscribeRoutes } from '../server/routes/unsubscribe.js';
import { webhookRoutes } from '../server/webhooks.js';
import { createMetrics, metricsRoutes } from '../server/metrics.js';
import type { HubMetrics } from '../server/metrics.js';
import { metricsSources } from './metrics-sources.js';
import type { Db } from '../store/db.js';
import { openDb } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';
import { buildCapabilities } from './capabilities.js';
import { routingFor } from './routing.js';
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

/** What connectors get from this process: logger, config folder, public URL, data folder. */
export function connectorContext(
  loaded: LoadedConfig,
  settings: Settings,
  logger: Logger,
  db?: Db,
): ConnectorContext {
  return {
    logger,
    configDir: loaded.dir,
    publicUrl: publicUrl(settings),
    dataDir: settings.dataDir,
    budgets: db ? storeBudgets(db) : undefined,
  };
}

/** The activities' dependencies: the store, and the capabilities the config's connectors give. */
export function activityDeps(
  loaded: LoadedConfig,
  settings: Settings,
  db: Db,
  logger: Logger,
  /** Told how each vendor call ends (the console's connector health). */
  health: CallObserver = healthRecorder(db, logger),
): ActivityDeps {
  const context = connectorContext(loaded, settings, logger, db);
  return {
    db,
    logger,
    publicUrl: context.publicUrl,
    crmExtras: loaded.config.workflows.crmSync?.properties,
    ...buildCapabilities(loaded.config, registry, context, health),
  };
}

/** Where members reach the server: the configured public URL, else the local listening address. */
export function publicUrl(settings: Settings): string {
  const host = settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host;
  return settings.publicUrl ?? `http://${host}:${settings.port}`;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** The support handoff's rules at work, for community events and help-desk events alike. */
function handoffRouter(
  loaded: LoadedConfig,
  settings: Settings,
  db: Db,
  temporal: Client,
  logger: Logger,
) {
  const taskQueue = settings.temporal.taskQueue;
  return createHandoffRouter({
    db,
    temporal,
    taskQueue,
    handoff: loaded.config.handoff,
    routing: routingFor(loaded.config, registry, taskQueue),
    logger,
    timeoutMs: 2_000,
  });
}

/** Where help-desk and CRM events go: their webhooks, and `townhall events replay`. */
export function businessRouter(
  loaded: LoadedConfig,
  settings: Settings,
  db: Db,
  temporal: Client,
  logger: Logger,
) {
  const erasure = erasureDeps(loaded, settings, db, temporal, logger);
  return createBusinessEventRouter({
    db,
    logger,
    handoff: handoffRouter(loaded, settings, db, temporal, logger),
    // A CRM's GDPR deletion erases the member everywhere else too.
    erase: (memberId, system) =>
      requestErasure(erasure, memberId, {
        requestedBy: `${system} deletion request`,
        source: system,
      }),
  });
}

/** Where community events go, from webhooks and from the gateway's listeners alike. */
export function communityRouter(
  loaded: LoadedConfig,
  settings: Settings,
  db: Db,
  temporal: Client,
  logger: Logger,
  searchAttributes = false,
): EventRouter {
  const taskQueue = settings.temporal.taskQueue;
  return createEventRouter({
    db,
    temporal,
    taskQueue,
    workflows: loaded.config.workflows,
    journeys: loaded.config.journeys,
    limits: loaded.config.limits,
    searchAttributes,
    members: loaded.config.members,
    routing: routingFor(loaded.config, registry, taskQueue),
    handoff: handoffRouter(loaded, settings, db, temporal, logger),
    logger,
  });
}

/** The configured mailer's sender settings (the unsubscribe secret), without sending anything. */
function mailerOf(loaded: LoadedConfig, settings: Settings, logger: Logger): Mailer | undefined {
  const resolution = resolveProvider(loaded.config, registry, 'mailer');
  if (!('id' in resolution)) return undefined;
  const sections: Record<string, unknown> = loaded.config.connectors;
  return buildCapabilities(
    { connectors: { [resolution.id]: sections[resolution.id] } },
    registry,
    connectorContext(loaded, settings, logger),
  ).mailer;
}

/** What starting an erasure needs: the API, the CLI and a CRM's deletion webhook share it. */
function erasureDeps(
  loaded: LoadedConfig,
  settings: Settings,
  db: Db,
  temporal: Client,
  logger: Logger,
): ErasureRequestDeps {
  const taskQueue = settings.temporal.taskQueue;
  const routing = routingFor(loaded.config, registry, taskQueue);
  return { db, temporal, taskQueue, routing, logger };
}

function consoleRouters(deps: Parameters<typeof consoleRoutes>[0], token: string | undefined) {
  return token ? [consoleRoutes(deps, token)] : [];
}

function metricsRouters(metrics: HubMetrics, token: string | undefined) {
  return token ? [metricsRoutes(metrics, token)] : [];
}

function erasureRouters(token: string | undefined, ...args: Parameters<typeof erasureDeps>) {
  return token ? [erasureApiRoutes(erasureDeps(...args), token)] : [];
}

/** The metrics `/metrics` serves: what this process counts, and what is read at scrape time. */
export function hubMetrics(
  loaded: LoadedConfig,
  settings: Settings,
  db: Db,
  temporal: Client,
  logger: Logger,
): HubMetrics {
  return createMetrics(metricsSources(loaded, db, temporal, settings.temporal.taskQueue), logger);
}

export async function startHttpServer(
  loaded: LoadedConfig,
  settings: Settings,
  db: Db,
  route: EventRouter,
  temporal: Client,
  logger: Logger,
  /** The payload codec for the Temporal UI's `/codec` endpoint, and the UI origins it answers. */
  codec: Omit<CodecRouteDeps, 'logger'> | undefined,
  /** The Temporal UI's address, for the console's links to runs (TEMPORAL_UI_URL, or the dev UI). */
  temporalUiUrl: string | undefined,
  /** Mounts the admin routes (API, console, codec, metrics); unset: none of them exist. */
  adminToken: string | undefined,
  /** The process's metrics, when other parts of it (the gateway, pollers) count into them too. */
  metrics: HubMetrics = hubMetrics(loaded, settings, db, temporal, logger),
): Promise<RunningServer> {
  const connectors: Record<string, unknown> = loaded.config.connectors;
  const mailer = mailerOf(loaded, settings, logger);
  const unsubscribe = mailer?.sender.unsubscribe;
  mailer?.close();
  const app = createApp({
    logger,
    metrics,
    // server.trustProxy and server.rateLimit: headers and limits are createApp's (server/app.ts).
    security: loaded.config.server,
    webhooks: webhookRoutes(
      loaded.config.connectors,
      {
        community: route,
        business: businessRouter(loaded, settings, db, temporal, logger),
        // Events that can never be processed are set aside, not answered 503 forever.
        quarantine: createQuarantine({ db, logger }),
      },
      logger,
    ),
    checks: { store: storeCheck(db), temporal: temporalCheck(temporal) },
    routers: [
      ...(unsubscribe
        ? [
            unsubscribeRoutes({
              db,
              logger,
              secret: unsubscribe.secret,
              // Journeys whose exit_when lists `unsubscribed` end now.
              onUnsubscribed: (memberId) =>
                signalMember({ db, temporal, logger, timeoutMs: 2_500 }, memberId, [
                  'unsubscribed',
                ]).then(() => undefined),
            }),
          ]
        : []),
      // The members API exists only with TOWNHALL_ADMIN_TOKEN set (unset: its routes are 404).
      ...adminRouters(
        { db, logger, members: loaded.config.members, connectors, registry },
        adminToken,
      ),
      // Erasure (`POST /api/members/:ref/forget`, `GET /api/erasures/:ref`): admin token only.
      ...erasureRouters(adminToken, loaded, settings, db, temporal, logger),
      // The Temporal UI's codec endpoint (server/routes/codec.ts): also only with the admin token.
      ...(codec ? codecRouters({ ...codec, logger }, adminToken) : []),
      // Prometheus (server/metrics.ts): also only with the admin token, sent as a bearer token.
      ...metricsRouters(metrics, adminToken),
      // The console (server/console/): also only with the admin token.
      ...consoleRouters(
        {
          config: loaded.config,
          db,
          temporal,
          taskQueue: settings.temporal.taskQueue,
          namespace: settings.temporal.namespace,
          temporalUiUrl,
          crms: providersOf(loaded.config, registry, 'crm'),
          logger,
          members: loaded.config.members,
          connectors,
          registry,
        },
        adminToken,
      ),
    ],
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(settings.port, settings.host, () => resolve(listening));
    // Senders and proxies keep sockets open between deliveries. Node's 5 s idle close races with
    // a sender reusing the socket just then: its delivery fails with ECONNRESET (the ingest
    // benchmark saw 2-25 in 1,600 at 200/s). Longer than the usual proxy's 60 s, as is common.
    listening.keepAliveTimeout = 65_000;
    listening.headersTimeout = 66_000;
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
