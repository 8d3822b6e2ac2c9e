// What commands that talk to a running hub connect with: its Temporal (TEMPORAL_ADDRESS, else
// the dev server `townhall start` runs) and its store, as the config and environment say.
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { createLogger } from '../runtime/logger.js';
import { openStore } from '../runtime/services.js';
import { dataDirFrom, resolveSettings } from '../runtime/settings.js';
import { cliTemporalClient } from '../runtime/temporal.js';
import { openDb } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';

/**
 * The store as the server opens it, without a config: DATABASE_URL, else PGlite in
 * $TOWNHALL_DATA_DIR; migrated, so a command run before the hub finds the tables it reads.
 */
export async function localStore(env: NodeJS.ProcessEnv = process.env) {
  const { db } = await openDb({
    url: env.DATABASE_URL || undefined,
    pgliteDir: path.join(dataDirFrom(env), 'pglite'),
  });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

export function hubTemporal(loaded: LoadedConfig) {
  const settings = resolveSettings(loaded.config, process.env);
  // With the hub's payload keys: what the hub's workers wrote is encrypted (runtime/codec/).
  return { settings, client: cliTemporalClient(settings).client };
}

/** The hub's store and Temporal client, closed by `close()`; the store logs warnings only. */
export async function hubConnection(loaded: LoadedConfig) {
  const logger = createLogger('townhall');
  logger.level = 'warn';
  const { settings, client } = hubTemporal(loaded);
  const db = await openStore(settings, logger);
  return {
    settings,
    client,
    db,
    logger,
    async close() {
      await db.destroy();
      await client.connection.close();
    },
  };
}
