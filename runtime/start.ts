import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { startSandbox } from '../sandbox/index.js';
import { sandboxOptions } from './sandbox-options.js';
import { startDevServer } from './dev-server.js';
import { onShutdown } from './lifecycle.js';
import { createLogger } from './logger.js';
import { startDiscordGateway } from '../connectors/discord/gateway.js';
import { activityDeps, communityRouter, openStore, startHttpServer } from './services.js';
import { resolveSettings } from './settings.js';
import { createActivities } from '../activities/index.js';
import { createTemporalClient, startWorker } from './temporal.js';
import { findOrBuildTemporalCli } from './temporal-cli.js';

export interface StartRoles {
  server: boolean;
  worker: boolean;
  /** Embedded dev server and sandbox: `townhall start` only. */
  embedded: boolean;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * `townhall start` (everything in one process), `townhall server` and `townhall worker`.
 * Resolves once running; signals stop everything that was started, in reverse order.
 */
export async function run(
  loaded: LoadedConfig,
  roles: StartRoles,
  env: NodeJS.ProcessEnv = process.env,
) {
  const logger = createLogger();
  const settings = resolveSettings(loaded.config, env);
  const shutdown = onShutdown(say);

  try {
    const { config } = loaded;
    const sandbox =
      roles.embedded && config.sandbox ? await startSandbox(sandboxOptions(config)) : undefined;
    if (sandbox) shutdown.add('sandbox', () => sandbox.stop());

    let address = settings.temporal.address;
    let temporalUi: string | undefined;
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
      });
      shutdown.add('temporal dev server', () => dev.stop());
      address = dev.address;
      temporalUi = dev.uiUrl;
    }

    const db = await openStore(settings, logger);
    shutdown.add('store', () => db.destroy());
    const temporal = createTemporalClient(address, settings.temporal.namespace);
    shutdown.add('temporal client', () => temporal.connection.close());

    if (roles.worker) {
      const deps = activityDeps(loaded, settings, db, logger);
      const worker = await startWorker({
        address,
        namespace: settings.temporal.namespace,
        taskQueue: settings.temporal.taskQueue,
        activities: createActivities(deps),
        cacheDir: settings.dataDir,
        logger,
      });
      shutdown.add('worker', () => worker.shutdown().finally(() => deps.email?.connector.close()));
      worker.done.catch((error: unknown) => {
        logger.fatal({ err: error }, 'worker stopped');
        void shutdown.stopAll().then(() => process.exit(1));
      });
    }

    const route = communityRouter(loaded, settings, db, temporal, logger);
    const server = roles.server
      ? await startHttpServer(loaded, settings, db, route, temporal, logger)
      : undefined;
    if (server) shutdown.add('http server', () => server.close());

    // The Discord gateway is inbound like a webhook, so it runs with the server role.
    const discord = config.connectors.discord;
    if (roles.server && discord) {
      mkdirSync(settings.dataDir, { recursive: true });
      const gateway = startDiscordGateway({
        config: discord,
        route,
        logger,
        // Dispatches the store or Temporal could not take yet survive a crash here.
        spoolFile: path.join(settings.dataDir, 'discord-gateway.spool'),
      });
      shutdown.add('discord gateway', () => gateway.stop());
      await gateway.ready.catch((error: unknown) => {
        throw new Error(
          `could not connect to the Discord gateway (check connectors.discord.botToken and apiUrl): ${(error as Error).message}`,
        );
      });
    }
    if (server && sandbox) sandbox.setTownhallUrl(server.url);

    say('');
    say(`townhall is running (config: ${loaded.file})`);
    if (server) say(`  server       ${server.url}   (health: ${server.url}/readyz)`);
    say(`  temporal     ${address}${temporalUi ? `   (UI: ${temporalUi})` : ''}`);
    if (roles.worker) say(`  worker       task queue "${settings.temporal.taskQueue}"`);
    say(
      `  store        ${settings.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${settings.dataDir}/pglite`}`,
    );
    if (sandbox) {
      say(`  sandbox      ${sandbox.url}   (SMTP sink on 127.0.0.1:${sandbox.smtpPort})`);
      say('');
      say('Try it: a new member joins Slack, and the onboarding journey starts:');
      say(
        `  curl -s -X POST ${sandbox.url}/_sandbox/slack/emit -H 'content-type: application/json' \\\n` +
          `    -d '{"type":"team_join","user":{"id":"U123","name":"ada","profile":{"email":"ada@example.com","real_name":"Ada Lovelace"}}}'`,
      );
      say(
        `  then: curl -s ${sandbox.url}/_sandbox/hubspot/contacts ; curl -s ${sandbox.url}/_sandbox/mail`,
      );
      if (config.connectors.discourse)
        say(
          `  or on Discourse: curl -s -X POST ${sandbox.url}/_sandbox/discourse/emit -H 'content-type: application/json' \\\n` +
            `    -d '{"event":"user_created","user":{"username":"grace","name":"Grace Hopper","email":"grace@example.com"}}'`,
        );
    }
    say('');
    say('Ctrl-C stops everything.');
  } catch (error) {
    await shutdown.stopAll();
    throw error;
  }
}
