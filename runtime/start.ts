import { healthRecorder } from './connector-health.js';
import { Quarantined } from '../server/quarantine.js';
import { devAdminToken } from './dev-admin-token.js';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { startSandbox } from '../sandbox/index.js';
import { sandboxOptions } from './sandbox-options.js';
import { startDevServer } from './dev-server.js';
import { onShutdown } from './lifecycle.js';
import { createLogger } from './logger.js';
import { tryItLines } from './banner.js';
import { startListeners } from './listeners.js';
import { routingFor, vendorQueues } from './routing.js';
import { journeyScanSchedules } from '../workflows/journey-scan/index.js';
import { ensureSchedules, scheduleRows } from './schedules.js';
import { ensurePollers } from './pollers.js';
import { providersOf } from '../config/capabilities.js';
import { workflowRegistry } from '../workflows/registry.js';
import {
  activityDeps,
  communityRouter,
  connectorContext,
  hubMetrics,
  openStore,
  startHttpServer,
} from './services.js';
import { registry } from '../connectors/index.js';
import type { Settings } from './settings.js';
import { resolveSettings } from './settings.js';
import { createActivities } from '../activities/index.js';
import { journeySearchAttributesReady } from './search-attributes.js';
import { createTemporalClient, startWorker } from './temporal.js';
import { payloadCodecFor } from './codec/index.js';
import { adminTokenFrom } from '../server/admin-auth.js';
import { describeTemporalAuth } from './temporal-auth.js';
import { createQuarantine } from '../server/quarantine.js';
import { codecOrigins } from '../server/routes/codec.js';
import type { CommunityEvent } from '../connectors/events.js';
import { findOrBuildTemporalCli } from './temporal-cli.js';

export interface StartRoles {
  server: boolean;
  worker: boolean;
  /** The long-lived inbound connections (the Discord gateway): one process in a deployment. */
  gateway: boolean;
  /** Embedded dev server and sandbox: `townhall start` only. */
  embedded: boolean;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

/** Where a browser on this machine reaches the codec endpoint (none when the port is picked late). */
function codecEndpoint(settings: Settings): string | undefined {
  if (settings.port === 0) return undefined;
  const host = settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host;
  return `http://${host}:${settings.port}/codec`;
}

/**
 * `townhall start` (everything in one process), `townhall server`, `townhall worker` and
 * `townhall gateway`.
 * Resolves once running; signals stop everything that was started, in reverse order.
 */
export async function run(
  loaded: LoadedConfig,
  roles: StartRoles,
  env: NodeJS.ProcessEnv = process.env,
) {
  const logger = createLogger();
  const settings = resolveSettings(loaded.config, env);
  // Before anything starts: a split role without TOWNHALL_PAYLOAD_KEYS stops here, saying so.
  const codec = payloadCodecFor(roles.embedded ? 'embedded' : 'deployment', env, settings.dataDir);
  const devToken =
    roles.embedded && roles.server && !env.TOWNHALL_ADMIN_TOKEN
      ? devAdminToken(settings.dataDir)
      : undefined;
  const adminToken = adminTokenFrom(env) ?? devToken?.token;
  const codecMounted = roles.server && adminToken !== undefined;
  const codecUrl = codecMounted ? codecEndpoint(settings) : undefined;
  const shutdown = onShutdown(say);

  try {
    const { config } = loaded;
    const sandbox =
      roles.embedded && config.sandbox ? await startSandbox(sandboxOptions(config)) : undefined;
    if (sandbox) shutdown.add('sandbox', () => sandbox.stop());

    let address = settings.temporal.address;
    // TLS, an API key or a client certificate (runtime/temporal-auth.ts): for a Temporal of
    // one's own or Temporal Cloud; the embedded dev server speaks plain gRPC.
    let auth = settings.temporal.auth;
    let temporalUi: string | undefined;
    let pollers: { connector: string; feed: string }[] = [];
    if (!address) {
      if (!roles.embedded)
        throw new Error('TEMPORAL_ADDRESS (or temporal.address in the config) is required');
      const cli = await findOrBuildTemporalCli(say, env);
      mkdirSync(settings.dataDir, { recursive: true });
      const dev = await startDevServer({
        cli,
        port: settings.temporal.devPort,
        uiPort: settings.temporal.devUiPort,
        dbFile: path.join(settings.dataDir, 'temporal.sqlite'),
        namespace: settings.temporal.namespace,
        // The UI asks townhall to decrypt what it shows (a browser signs in at /codec/session).
        uiCodecEndpoint: codecUrl,
      });
      shutdown.add('temporal dev server', () => dev.stop());
      address = dev.address;
      auth = {};
      temporalUi = dev.uiUrl;
    }

    const db = await openStore(settings, logger);
    shutdown.add('store', () => db.destroy());
    const temporal = createTemporalClient(address, settings.temporal.namespace, codec, auth);
    shutdown.add('temporal client', () => temporal.connection.close());
    const searchAttributes = await journeySearchAttributesReady(
      temporal,
      settings.temporal.namespace,
      logger,
    );

    const route = communityRouter(loaded, settings, db, temporal, logger, searchAttributes);
    // Listeners and pollers retry what route() refuses, in order: an event that can never be
    // processed would hold up every one after it. Set aside as the webhooks' are, it does not.
    const quarantine = createQuarantine({ db, logger });
    // Events the gateway and the pollers bring count on /metrics as webhooks' do, where this
    // process serves it (`townhall start`; a gateway of its own serves no HTTP).
    const metrics = roles.server ? hubMetrics(loaded, settings, db, temporal, logger) : undefined;
    const routeOrSetAside = async (event: CommunityEvent) => {
      const outcome = await quarantine.guard('community', event.platform, route)(event);
      if (metrics && !(outcome instanceof Quarantined) && outcome !== 'duplicate')
        metrics.event(event.type);
      return outcome;
    };
    if (roles.worker) {
      // Polled feeds route what they find as webhooks do.
      const health = healthRecorder(db, logger);
      // Registered after the store, so it runs before the store closes: the last tallies land.
      shutdown.add('connector health', () => health.flush());
      const deps = {
        ...activityDeps(loaded, settings, db, logger, health),
        route: routeOrSetAside,
        temporal,
      };
      // Outside the one-process sandbox, a local address in every unsubscribe link would be a
      // link nobody can open: refuse to start rather than mail it.
      if (deps.mailer && !roles.embedded && !settings.publicUrl)
        throw new Error(
          'a mailer is configured, so unsubscribe links need the address members reach this server at: set server.publicUrl in the config or TOWNHALL_PUBLIC_URL',
        );
      const worker = await startWorker({
        address,
        auth,
        namespace: settings.temporal.namespace,
        taskQueue: settings.temporal.taskQueue,
        activities: createActivities(deps),
        vendorQueues: vendorQueues(config, registry, settings.temporal.taskQueue, 'all'),
        cacheDir: settings.bundleDir,
        logger,
        codec,
        workflowCacheSize: config.temporal.workflowCacheSize,
      });
      shutdown.add('worker', () => worker.shutdown().finally(() => deps.mailer?.close()));
      // The schedules (the CRM sync, inactivity scans) exist as this config says, whichever worker starts first.
      const routing = routingFor(config, registry, settings.temporal.taskQueue);
      await ensureSchedules(
        temporal,
        [
          ...scheduleRows(config.workflows, workflowRegistry, {
            routing,
            providers: (capability) => providersOf(config, registry, capability),
          }),
          ...journeyScanSchedules(config.journeys, config.members.levels, routing, {
            limits: config.limits,
            searchAttributes,
          }),
        ],
        { taskQueue: settings.temporal.taskQueue, logger },
      );
      pollers = await ensurePollers(temporal, config, registry, {
        taskQueue: settings.temporal.taskQueue,
        logger,
      });
      worker.done.catch((error: unknown) => {
        logger.fatal({ err: error }, 'worker stopped');
        void shutdown.stopAll().then(() => process.exit(1));
      });
    }

    const server = roles.server
      ? await startHttpServer(
          loaded,
          settings,
          db,
          route,
          temporal,
          logger,
          {
            codec,
            origins: codecOrigins(env, temporalUi),
          },
          env.TEMPORAL_UI_URL ?? temporalUi,
          adminToken,
          metrics,
        )
      : undefined;
    if (server) shutdown.add('http server', () => server.close());

    // Listeners hold one connection per vendor account: never in every server replica.
    const listeners = roles.gateway
      ? await startListeners(config, registry, {
          ...connectorContext(loaded, settings, logger),
          route: routeOrSetAside,
        })
      : [];
    for (const listener of listeners)
      shutdown.add(`${listener.id} listener`, () => listener.stop());
    if (server && sandbox) sandbox.setTownhallUrl(server.url);

    say('');
    say(`townhall is running (config: ${loaded.file})`);
    if (server) say(`  server       ${server.url}   (health: ${server.url}/readyz)`);
    if (server && codecMounted)
      say(
        `  console      ${server.url}/console   (admin token: ${devToken ? `in ${devToken.file}` : 'TOWNHALL_ADMIN_TOKEN'})`,
      );
    if (server && codecMounted)
      say(
        `  codec        ${server.url}/codec   (Temporal UI: sign in at ${server.url}/codec/session)`,
      );
    say(
      `  temporal     ${address}${temporalUi ? `   (UI: ${temporalUi})` : `   (${describeTemporalAuth(auth)}, namespace ${settings.temporal.namespace})`}`,
    );
    if (roles.worker)
      say(
        `  worker       task queue "${settings.temporal.taskQueue}"${env.TEMPORAL_METRICS_ADDRESS ? `   (SDK metrics: http://${env.TEMPORAL_METRICS_ADDRESS}/metrics)` : ''}`,
      );
    if (listeners.length > 0)
      say(`  gateway      ${listeners.map((listener) => listener.id).join(', ')}`);
    if (pollers.length > 0)
      say(
        `  pollers      ${pollers.map((poller) => `${poller.connector}: ${poller.feed}`).join(', ')}`,
      );
    say(
      `  store        ${settings.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${settings.dataDir}/pglite`}`,
    );
    if (sandbox) {
      const elsewhere = sandbox.banner().join('; ');
      say(`  sandbox      ${sandbox.url}${elsewhere ? `   (${elsewhere})` : ''}`);
      const configured = Object.entries(config.connectors)
        .filter(([, section]) => section !== undefined)
        .map(([id]) => id);
      for (const line of tryItLines(sandbox, configured)) say(line);
    }
    say('');
    say('Ctrl-C stops everything.');
  } catch (error) {
    await shutdown.stopAll();
    throw error;
  }
}
