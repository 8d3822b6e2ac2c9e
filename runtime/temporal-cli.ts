import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_CLI_VERSION = '1.8.2';
const WRAPPER_MODULE = fileURLToPath(new URL('./temporal-cli/', import.meta.url));

export type TemporalCli =
  | { kind: 'binary'; path: string; source: 'TEMPORAL_CLI' | 'PATH' | 'cache' | 'built' }
  /** No binary and no Go: the Temporal SDK downloads its dev server (needs the internet). */
  | { kind: 'sdk-download' };

export function cachedCliPath(env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheRoot, 'townhall', `temporal-cli-v${TEMPORAL_CLI_VERSION}`, 'temporal');
}

function onPath(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const location = found.stdout.trim();
  return found.status === 0 && location ? location : undefined;
}

/**
 * Finds a Temporal CLI: $TEMPORAL_CLI, then `temporal` on PATH, then the per-user cache, then a
 * build of the pinned version from its Go module (first run only), else the SDK's download.
 */
export async function findOrBuildTemporalCli(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  env: NodeJS.ProcessEnv = process.env,
): Promise<TemporalCli> {
  if (env.TEMPORAL_CLI) {
    if (!existsSync(env.TEMPORAL_CLI))
      throw new Error(`TEMPORAL_CLI=${env.TEMPORAL_CLI} does not exist`);
    return { kind: 'binary', path: env.TEMPORAL_CLI, source: 'TEMPORAL_CLI' };
  }
  const fromPath = onPath('temporal');
  if (fromPath) return { kind: 'binary', path: fromPath, source: 'PATH' };
  const cached = cachedCliPath(env);
  if (existsSync(cached)) return { kind: 'binary', path: cached, source: 'cache' };
  if (onPath('go')) {
    await buildTemporalCli(cached, log);
    return { kind: 'binary', path: cached, source: 'built' };
  }
  log('No Temporal CLI and no Go toolchain: the Temporal SDK will try to download its dev server.');
  return { kind: 'sdk-download' };
}

/** `go build` of the wrapper module into the cache, atomically (a half-written binary never runs). */
export async function buildTemporalCli(target: string, log: (line: string) => void): Promise<void> {
  log(
    `Building Temporal CLI v${TEMPORAL_CLI_VERSION} from its Go module (first run only; ` +
      `about 10 minutes on 2 cores, then cached at ${target})...`,
  );
  mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  const started = Date.now();
  const ticker = setInterval(() => {
    log(`  ...still building the Temporal CLI (${Math.round((Date.now() - started) / 1000)} s)`);
  }, 30_000);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        'go',
        [
          'build',
          '-trimpath',
          '-ldflags',
          `-s -w -X github.com/temporalio/cli/internal/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
          '-o',
          partial,
          'github.com/temporalio/cli/cmd/temporal',
        ],
        { cwd: WRAPPER_MODULE, stdio: ['ignore', 'inherit', 'inherit'] },
      );
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`go build of the Temporal CLI failed (exit ${code})`)),
      );
    });
    renameSync(partial, target);
    log(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s.`);
  } finally {
    clearInterval(ticker);
  }
}
