// The hub under measurement: `townhall start` as a new user runs it (server and worker in one
// process), against the benchmark's own Temporal dev server and sandbox, on PostgreSQL (a fresh
// schema) or the embedded PGlite.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createHash } from 'node:crypto';
import { PayloadEncryptionCodec, parsePayloadKeys } from '../../runtime/codec/index.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import { freePort } from '../../tests/support/ports.js';

/** The hubs' payload key, so the benchmark's own client reads and writes what they do. */
export const BENCH_PAYLOAD_KEYS = `bench-1:${createHash('sha256').update('townhall bench payload key').digest('base64')}`;

/** A Temporal client with the hubs' codec: a raw arm pays the same encryption as the hub. */
export const benchClient = (address: string, namespace: string) =>
  createTemporalClient(
    address,
    namespace,
    new PayloadEncryptionCodec(parsePayloadKeys(BENCH_PAYLOAD_KEYS)),
  );

const TOWNHALL = path.resolve('bin/townhall.js');
/** Shared with the test suite's hubs: keyed on every file a bundle holds, so never stale. */
const BUNDLE_CACHE = path.join(os.tmpdir(), 'townhall-test-bundles');

export type StoreKind = 'postgres' | 'pglite';

export interface BenchHub {
  url: string;
  taskQueue: string;
  pid: number;
  /** Date.now() as the hub process was spawned: where its CPU profile's clock starts. */
  spawnedAtMs: number;
  /** The hub process's resident memory now, in MiB (Linux /proc). */
  rssMiB(): number;
  /** The hub's store, for counting what it kept (PostgreSQL only). */
  databaseUrl: string | undefined;
  /** A counter of the hub's /metrics, summed over the series whose labels contain `match`. */
  metric(name: string, match?: string): Promise<number>;
  output(): string;
  stop(): Promise<void>;
}

/** A fresh schema on DATABASE_URL's server, dropped by `drop`. */
export async function freshSchema(baseUrl: string) {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const scoped = new URL(baseUrl);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: scoped.toString(),
    async drop() {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    },
  };
}

export function rssMiBOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

export async function startBenchHub(options: {
  config: string;
  temporalAddress: string;
  store: StoreKind;
  /** PostgreSQL server for store 'postgres': a fresh schema on it. */
  postgresUrl?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** The benchmark's own Temporal namespace (BenchContext.namespace). */
  namespace: string;
  /** Writes a CPU profile (`node --cpu-prof`) into this folder when the hub stops. */
  profileDir?: string | undefined;
}): Promise<BenchHub> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-bench-hub-'));
  const configFile = path.join(dir, 'townhall.config.yaml');
  writeFileSync(configFile, options.config);
  const schema =
    options.store === 'postgres'
      ? await freshSchema(options.postgresUrl ?? 'postgres://postgres@127.0.0.1:5432/test')
      : undefined;
  const taskQueue = `bench-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // The level a new user runs at: the hub's own logging is part of its cost.
    LOG_LEVEL: process.env.HUB_LOG_LEVEL ?? 'info',
    TOWNHALL_BUNDLE_DIR: BUNDLE_CACHE,
    TOWNHALL_DATA_DIR: path.join(dir, 'data'),
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_NAMESPACE: options.namespace,
    TOWNHALL_ADMIN_TOKEN: 'bench-admin-token',
    PORT: String(port),
    TOWNHALL_PAYLOAD_KEYS: BENCH_PAYLOAD_KEYS,
    ...options.env,
  };
  delete env.DATABASE_URL;
  if (schema) env.DATABASE_URL = schema.url;
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const spawnedAtMs = Date.now();
  const child = spawn(process.execPath, [...profile, TOWNHALL, 'start', '--config', configFile], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 180_000;
  while (!output.includes('Ctrl-C stops everything')) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`townhall start exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`townhall start was not ready after 180 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    taskQueue,
    spawnedAtMs,
    pid: child.pid!,
    rssMiB: () => rssMiBOf(child.pid!),
    databaseUrl: schema?.url,
    async metric(name, match = '') {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
        headers: { authorization: 'Bearer bench-admin-token' },
      });
      let sum = 0;
      for (const line of (await res.text()).split('\n'))
        if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
          if (line.includes(match)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      return sum;
    },
    output: () => output,
    // Once, however often it is called: a benchmark stops early to read the hub's profile.
    stop: () => (stopping ??= stop()),
  };
}
