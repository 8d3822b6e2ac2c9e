import path from 'node:path';
import type { Config } from '../config/schema.js';
import type { TemporalAuth } from './temporal-auth.js';
import { temporalAuthFrom } from './temporal-auth.js';

/** Where process-level settings come from: the environment first, then the config file. */
export interface Settings {
  /** Interface to listen on; 127.0.0.1 unless HOST says otherwise (0.0.0.0 in containers). */
  host: string;
  port: number;
  dataDir: string;
  /** The workflow bundle cache: TOWNHALL_BUNDLE_DIR, else the data folder. */
  bundleDir: string;
  databaseUrl: string | undefined;
  /** Where members reach the server (unsubscribe links): TOWNHALL_PUBLIC_URL, else server.publicUrl. */
  publicUrl: string | undefined;
  temporal: {
    /** Unset: run the embedded dev server on devPort. */
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    devPort: number;
    devUiPort: number;
    /** How to sign in to `address`: TEMPORAL_API_KEY, TEMPORAL_TLS_CERT/KEY, TEMPORAL_TLS. */
    auth: TemporalAuth;
  };
}

function portFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`${name}=${value} is not a port number`);
  return port;
}

/** PGlite, the dev server's database, the workflow bundle cache: TOWNHALL_DATA_DIR or ./.townhall. */
export function dataDirFrom(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.TOWNHALL_DATA_DIR || '.townhall');
}

/** The workflow bundle cache: TOWNHALL_BUNDLE_DIR (shared by processes), else the data folder. */
export function bundleDirFrom(env: NodeJS.ProcessEnv = process.env): string {
  return env.TOWNHALL_BUNDLE_DIR ? path.resolve(env.TOWNHALL_BUNDLE_DIR) : dataDirFrom(env);
}

export function resolveSettings(config: Config, env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    host: env.HOST || '127.0.0.1',
    port: portFrom(env.PORT, config.server.port, 'PORT'),
    dataDir: dataDirFrom(env),
    bundleDir: bundleDirFrom(env),
    databaseUrl: env.DATABASE_URL || undefined,
    publicUrl: env.TOWNHALL_PUBLIC_URL || config.server.publicUrl || undefined,
    temporal: {
      address: env.TEMPORAL_ADDRESS || config.temporal.address || undefined,
      namespace: env.TEMPORAL_NAMESPACE || config.temporal.namespace,
      taskQueue: env.TEMPORAL_TASK_QUEUE || config.temporal.taskQueue,
      devPort: portFrom(env.TEMPORAL_PORT, 7233, 'TEMPORAL_PORT'),
      devUiPort: portFrom(env.TEMPORAL_UI_PORT, 8233, 'TEMPORAL_UI_PORT'),
      auth: temporalAuthFrom(env),
    },
  };
}
