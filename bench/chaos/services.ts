// The chaos suite's own services, so it can kill and restart them: a PostgreSQL cluster in a
// temp folder on a free port, a Temporal dev server whose SQLite file outlives a restart, and
// the sandbox (in this process, so its emulators can be counted directly).
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DevServer } from '../../runtime/dev-server.js';
import { startDevServer } from '../../runtime/dev-server.js';
import { findOrBuildTemporalCli } from '../../runtime/temporal-cli.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { freePort } from '../../tests/support/ports.js';

export const CHAOS_SECRETS = {
  slackSigning: 'chaos-slack-signing-secret',
  slackBot: 'xoxb-chaos-bot-token',
  discourseWebhook: 'chaos-discourse-webhook-secret',
  discourseApiKey: 'chaos-discourse-api-key',
  hubspotToken: 'chaos-hubspot-token',
};

const PG_BIN = process.env.CHAOS_PG_BIN ?? '/usr/local/bin';

/** initdb refuses to run as root: as root, the cluster is the postgres user's. */
function pgCommand(tool: string, args: string[]): void {
  const binary = path.join(PG_BIN, tool);
  const asRoot = process.getuid?.() === 0;
  execFileSync(
    asRoot ? 'runuser' : binary,
    asRoot ? ['-u', 'postgres', '--', binary, ...args] : args,
    {
      stdio: 'ignore',
      timeout: 120_000,
    },
  );
}

export interface OwnPostgres {
  url: string;
  restart(): void;
  stop(): void;
}

/** A throwaway cluster: trust auth on 127.0.0.1 only, fsync off (it holds nothing to keep). */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-chaos-pg-'));
  if (process.getuid?.() === 0)
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0);
  const data = path.join(dir, 'data');
  const port = await freePort();
  pgCommand('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const ctl = (action: string, ...extra: string[]) =>
    pgCommand('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(dir, 'log'),
      '-o',
      options,
      '-w',
      ...extra,
      action,
    ]);
  ctl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    // Fast: open transactions are rolled back and every connection is cut, as in a failover.
    restart: () => ctl('restart', '-m', 'fast'),
    stop() {
      try {
        ctl('stop', '-m', 'immediate');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface OwnTemporal {
  address: string;
  /** SIGKILLs the dev server (its whole process group) and starts it again on the same file. */
  killAndRestart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnTemporal(): Promise<OwnTemporal> {
  const cli = await findOrBuildTemporalCli();
  if (cli.kind !== 'binary') throw new Error('the chaos suite needs the Temporal CLI binary');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-chaos-temporal-'));
  const port = await freePort();
  const start = () =>
    startDevServer({ cli, port, dbFile: path.join(dir, 'temporal.db'), startTimeoutMs: 120_000 });
  let server: DevServer = await start();
  return {
    address: server.address,
    async killAndRestart() {
      if (server.pid) process.kill(-server.pid, 'SIGKILL');
      // The port is free again once the killed process is reaped.
      await new Promise((resolve) => setTimeout(resolve, 500));
      server = await start();
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every vendor emulator the hub talks to, fault-free until failVendorCalls. */
export async function startChaosSandbox(): Promise<Sandbox> {
  return startSandbox({
    port: await freePort(),
    vendors: {
      slack: { signingSecret: CHAOS_SECRETS.slackSigning, botToken: CHAOS_SECRETS.slackBot },
      discourse: {
        webhookSecret: CHAOS_SECRETS.discourseWebhook,
        apiKey: CHAOS_SECRETS.discourseApiKey,
      },
      hubspot: { accessToken: CHAOS_SECRETS.hubspotToken },
    },
  });
}

/** From now on, `rate` of the vendors' API calls answer 429 (with a Retry-After), 500 or 503. */
export function failVendorCalls(sandbox: Sandbox, rate: number): void {
  if (rate <= 0) return;
  for (const vendor of ['slack', 'discourse', 'hubspot'])
    sandbox.faults.add({
      vendor,
      rate,
      statuses: [429, 500, 503],
      count: 1,
      drop: false,
      // Vendors say when to come back after a 429; short, so the run is not all waiting.
      retryAfterSeconds: 1,
    });
}
