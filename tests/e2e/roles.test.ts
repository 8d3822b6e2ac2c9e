// The roles of a deployment as separate processes: `townhall server` replicas hold no chat
// gateway connection; the one `townhall gateway` does, and routes what it hears.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { discordConfigFor, startDiscordSandbox } from '../support/discord.js';
import { TEST_PAYLOAD_KEYS } from '../support/payload-keys.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/sandbox.js';
import type { TownhallProcess } from '../support/townhall-process.js';
import { spawnTownhall } from '../support/townhall-process.js';

const TOKEN = 'roles-test-discord-token';
let sandbox: Sandbox;
let t: TestDb;
const running: TownhallProcess[] = [];

beforeAll(async () => {
  sandbox = await startDiscordSandbox(TOKEN, { heartbeatIntervalMs: 1_000 });
  t = await openTestDb();
});
afterAll(async () => {
  for (const process of running) process.child.kill('SIGKILL');
  await sandbox?.stop();
  await t?.close();
});

const identifies = async () =>
  (
    (await (await fetch(`${sandbox.url}/_sandbox/discord/gateway`)).json()) as {
      stats: { identifies: number };
    }
  ).stats.identifies;

describe('server, worker and gateway roles', () => {
  it('connects to the chat gateway from the gateway role only', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-roles-'));
    const config = path.join(dir, 'townhall.config.yaml');
    const discord = discordConfigFor(sandbox, TOKEN);
    writeFileSync(
      config,
      `
connectors:
  discord:
    applicationId: '${discord.applicationId}'
    publicKey: ${discord.publicKey}
    botToken: ${TOKEN}
    guildId: '${discord.guildId}'
    apiUrl: ${discord.apiUrl}
workflows:
  onboarding:
    steps:
      - wait: 1h
`,
    );
    const taskQueue = `roles-${randomBytes(4).toString('hex')}`;
    const env = (role: string) => ({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      TOWNHALL_DATA_DIR: path.join(dir, role),
      DATABASE_URL: t.url ?? '',
      PORT: '0',
    });

    const server = await spawnTownhall(['server', '--config', config], {
      ...env('server'),
      PORT: String(await freePort()),
    });
    running.push(server);
    expect(server.output()).not.toMatch(/^\s+gateway\s/m);
    expect(await identifies()).toBe(0);

    const gateway = await spawnTownhall(['gateway', '--config', config], env('gateway'));
    running.push(gateway);
    expect(gateway.output()).toMatch(/^\s+gateway\s+discord$/m);
    expect(await identifies()).toBe(1);

    // What the gateway hears starts the journey, with no server or worker involved.
    const emitted = await fetch(`${sandbox.url}/_sandbox/discord/emit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ t: 'GUILD_MEMBER_ADD', d: { user: { username: 'hedy' } } }),
    });
    expect(emitted.status).toBe(200);
    const client = createTemporalClient(inject('temporalAddress'), 'default');
    const runs = await waitFor('the onboarding run', async () => {
      const found: string[] = [];
      for await (const run of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` }))
        found.push(run.type);
      return found.length > 0 ? found : undefined;
    });
    expect(runs).toEqual(['onboarding']);
    expect(await identifies()).toBe(1);

    for (const process of [gateway, server]) {
      process.child.kill('SIGINT');
      expect(await process.exited).toBe(0);
    }
  });

  it('will not run a worker that would mail unsubscribe links to a local address', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-roles-'));
    const config = path.join(dir, 'townhall.config.yaml');
    writeFileSync(
      config,
      `
connectors:
  email:
    from: Townhall <hello@townhall.test>
    smtp: { host: 127.0.0.1, port: 2525 }
    unsubscribeSecret: roles-test-unsubscribe-secret
workflows: {}
`,
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TOWNHALL_DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: t.url ?? '',
      TOWNHALL_PUBLIC_URL: '',
      TOWNHALL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    };
    const run = spawnSync(
      process.execPath,
      [path.resolve('bin/townhall.js'), 'worker', '-c', config],
      {
        encoding: 'utf8',
        env,
        timeout: 60_000,
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('set server.publicUrl in the config or TOWNHALL_PUBLIC_URL');
  });

  it('will not run a split role without the payload keys, nor with a bad one, and never prints a key', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-roles-'));
    const config = path.join(dir, 'townhall.config.yaml');
    writeFileSync(config, 'connectors: {}\nworkflows: {}\n');
    const role = (name: string, keys: string) =>
      spawnSync(process.execPath, [path.resolve('bin/townhall.js'), name, '-c', config], {
        encoding: 'utf8',
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          TOWNHALL_DATA_DIR: path.join(dir, 'data'),
          DATABASE_URL: t.url ?? '',
          TOWNHALL_PAYLOAD_KEYS: keys,
        },
        timeout: 60_000,
      });
    // Every split role resolves its keys the same way (runtime/start.ts): one of them suffices.
    const missing = role('server', '');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('TOWNHALL_PAYLOAD_KEYS is required');
    expect(missing.stderr).toContain('openssl rand -base64 32');
    // Nothing was made in its place: a split role never invents a key its replicas lack.
    expect(existsSync(path.join(dir, 'data', 'payload-keys'))).toBe(false);

    const short = Buffer.alloc(16, 7).toString('base64');
    const bad = role('worker', `k2:${short}`);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('entry 1 (id "k2"): the key is 16 bytes, AES-256 needs 32');
    expect(bad.stderr).not.toContain(short);
  }, 150_000);
});
