import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { TEST_PAYLOAD_KEYS } from './payload-keys.js';
import { TEST_BUNDLE_CACHE } from './worker.js';

const TOWNHALL = path.resolve('bin/townhall.js');

export interface TownhallProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/**
 * Runs `townhall <args>` as its own process and waits for the last line of its banner (the
 * banner arrives in several writes, so "townhall is running" alone may come before the URLs).
 */
export async function spawnTownhall(
  args: string[],
  env: NodeJS.ProcessEnv,
  readyTimeoutMs = 90_000,
  cwd?: string,
): Promise<TownhallProcess> {
  const child = spawn(process.execPath, [TOWNHALL, ...args], {
    cwd,
    // One bundle cache for every townhall a test starts: each would otherwise build its own.
    env: {
      ...process.env,
      LOG_LEVEL: process.env.HUB_LOG_LEVEL ?? 'warn',
      TOWNHALL_BUNDLE_DIR: TEST_BUNDLE_CACHE,
      // Every role needs it (split roles refuse to start without); one key, so tests can read.
      TOWNHALL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );

  const deadline = Date.now() + readyTimeoutMs;
  while (!output.includes('Ctrl-C stops everything')) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`townhall exited before it was ready:\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`townhall was not ready after ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, output: () => output, exited };
}

/** The URL a running townhall printed for one of its parts (`server`, `sandbox`). */
export function printedUrl(process: TownhallProcess, part: string): string {
  const match = new RegExp(`^\\s+${part}\\s+(http://\\S+)`, 'm').exec(process.output());
  if (!match?.[1]) throw new Error(`townhall did not print a ${part} URL:\n${process.output()}`);
  return match[1];
}
