import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { Connection } from '@temporalio/client';
import {
  JOURNEY_SEARCH_ATTRIBUTES,
  searchAttributeFlags,
} from '../workflows/journey/search-attributes.js';
import type { TemporalCli } from './temporal-cli.js';

export interface DevServerOptions {
  cli: TemporalCli;
  port: number;
  /** Web UI port; omit to run headless (tests). */
  uiPort?: number | undefined;
  /** SQLite file that keeps workflows across restarts; omit for in-memory (tests). */
  dbFile?: string | undefined;
  namespace?: string;
  startTimeoutMs?: number;
  /** The codec endpoint the Web UI sends encrypted payloads to (townhall's /codec). */
  uiCodecEndpoint?: string | undefined;
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * The CLI runs under a tiny shell guard that stops it when our end of its stdin closes, which
 * happens on a normal stop and also when this process dies abruptly: no orphaned dev server.
 * (A background job's stdin is /dev/null unless redirected, hence fd 3.)
 */
const GUARD = 'exec 3<&0; "$@" & pid=$!; (cat <&3 >/dev/null; kill $pid 2>/dev/null) & wait $pid';

/**
 * One partition per task queue. The server divides a queue's maxTaskQueueActivitiesPerSecond
 * among its read partitions (4 by default), each with a burst of 1: on Slack's 1-a-second queue a
 * lone reply could wait up to 4 s (BENCHMARKS.md, handoff latency: reply p99 2.9 s before, 87 ms
 * with one partition). One server and one hub's load need no more. A real cluster sets the same for
 * townhall's vendor queues in its dynamic config (README, Deploy).
 */
const ONE_PARTITION = [
  '--dynamic-config-value',
  'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value',
  'matching.numTaskqueueWritePartitions=1',
];

/** The dev server did not come up; `exited`: its process ended at once (a port taken, say). */
export class DevServerStartError extends Error {
  constructor(
    message: string,
    readonly exited: boolean,
  ) {
    super(message);
  }
}

/** Raised while waiting: the process ended before it served. */
class ExitedEarly extends Error {}

/**
 * A dev server on a port `pickPort` gives, tried again on a new one when the process ends at
 * once. The CLI picks its HTTP API and internal ports by listening and closing, and another
 * process's connection can take one before the server binds it: CI saw "bind: address already
 * in use" once in many runs. Tests and benchmarks start theirs this way; `townhall start` uses
 * its configured ports and says what went wrong instead.
 */
export async function startDevServerOnFreePort(
  options: Omit<DevServerOptions, 'port'>,
  pickPort: () => Promise<number>,
  tries = 3,
): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServer({ ...options, port: await pickPort() });
    } catch (error) {
      if (!(error instanceof DevServerStartError && error.exited) || attempt >= tries) throw error;
    }
  }
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const address = `127.0.0.1:${options.port}`;
  const namespace = options.namespace ?? 'default';
  const uiUrl = options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined;

  if (options.cli.kind === 'sdk-download') {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: '127.0.0.1',
        port: options.port,
        namespace,
        ui: options.uiPort !== undefined,
        ...(options.uiPort ? { uiPort: options.uiPort } : {}),
        ...(options.dbFile ? { dbFilename: options.dbFile } : {}),
        searchAttributes: [...JOURNEY_SEARCH_ATTRIBUTES],
        extraArgs: [
          ...ONE_PARTITION,
          ...(options.uiPort && options.uiCodecEndpoint
            ? ['--ui-codec-endpoint', options.uiCodecEndpoint]
            : []),
        ],
      },
    });
    return { address, uiUrl, pid: undefined, stop: () => env.teardown() };
  }

  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    namespace,
    '--log-level',
    'error',
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=OFF',
    ...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...(options.uiPort && options.uiCodecEndpoint
      ? ['--ui-codec-endpoint', options.uiCodecEndpoint]
      : []),
    // The journeys' search attributes, registered before any run sets them.
    ...searchAttributeFlags(),
    ...ONE_PARTITION,
    ...((options as { extraArgs?: string[] }).extraArgs ?? []),
  ];
  const child = spawn('sh', ['-c', GUARD, 'temporal-guard', options.cli.path, ...args], {
    stdio: ['pipe', 'ignore', 'pipe'],
    detached: true,
  });
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );

  const stop = () => stopChild(child, exited);
  try {
    await waitUntilServing(address, namespace, exited, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw new DevServerStartError(
      `Temporal dev server did not start on ${address}: ${(error as Error).message}\n${stderrTail}`,
      error instanceof ExitedEarly,
    );
  }
  return { address, uiUrl, pid: child.pid, stop };
}

async function waitUntilServing(
  address: string,
  namespace: string,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new ExitedEarly(`it exited with code ${exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`not serving after ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  const timer = setTimeout(() => {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  }, 10_000);
  await exited;
  clearTimeout(timer);
}
