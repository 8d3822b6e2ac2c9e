// The hub under chaos: `townhall server` and `townhall worker` as separate processes of one
// deployment, so the worker can be SIGKILLed and restarted while the server keeps answering.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sandbox } from '../../sandbox/index.js';
import { freePort } from '../../tests/support/ports.js';
import { CHAOS_SECRETS } from './services.js';

const TOWNHALL = path.resolve('bin/townhall.js');
/** Shared with the test suite's hubs: keyed on every file a bundle holds, so never stale. */
const BUNDLE_CACHE = path.join(os.tmpdir(), 'townhall-test-bundles');

/** What the onboarding sends, so the counts can tell its effects from anything else. */
export const WELCOME_SUBJECT = 'Chaos welcome, ';
export const DM_TEXT = 'Chaos DM for ';

function chaosConfig(sandbox: Sandbox): string {
  return `
temporal:
  # The vendors' default paces would make a thousand welcomes a matter of many minutes.
  activitiesPerSecond: { slack: 200, discourse: 200, hubspot: 200 }
connectors:
  slack:
    signingSecret: ${CHAOS_SECRETS.slackSigning}
    botToken: ${CHAOS_SECRETS.slackBot}
    apiUrl: ${sandbox.url}/api/
  discourse:
    baseUrl: ${sandbox.url}
    apiKey: ${CHAOS_SECRETS.discourseApiKey}
    webhookSecret: ${CHAOS_SECRETS.discourseWebhook}
  hubspot:
    accessToken: ${CHAOS_SECRETS.hubspotToken}
    baseUrl: ${sandbox.url}
  email:
    from: Townhall <hello@townhall.test>
    templatesDir: ${path.resolve('config/examples/templates')}
    smtp:
      host: 127.0.0.1
      port: ${sandbox.emulators.email.port}
      tls: { rejectUnauthorized: false }
    unsubscribeSecret: chaos-unsubscribe-secret
workflows:
  onboarding:
    steps:
      - crm.upsert_contact:
      - email.send: { template: welcome, subject: '${WELCOME_SUBJECT}{{ member.name }}' }
      - dm.send: { text: '${DM_TEXT}{{ member.name }}', subject: 'Chaos welcome' }
`;
}

export interface HubProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | NodeJS.Signals | null>;
}

export interface ChaosHub {
  serverUrl: string;
  server: HubProcess;
  worker(): HubProcess;
  /** SIGKILLs the worker (no shutdown, nothing flushed) and starts a new one. */
  killAndRestartWorker(): Promise<void>;
  stop(): Promise<void>;
}

/** Runs `townhall <role>` and waits for the end of its banner. */
async function spawnRole(
  role: 'server' | 'worker',
  configFile: string,
  env: NodeJS.ProcessEnv,
  readyTimeoutMs = 180_000,
): Promise<HubProcess> {
  const child = spawn(process.execPath, [TOWNHALL, role, '--config', configFile], {
    env: {
      ...process.env,
      LOG_LEVEL: process.env.HUB_LOG_LEVEL ?? 'warn',
      TOWNHALL_BUNDLE_DIR: BUNDLE_CACHE,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Only the tail: a worker that logs every retried vendor call would otherwise grow without end.
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const deadline = Date.now() + readyTimeoutMs;
  while (!output.includes('Ctrl-C stops everything')) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`townhall ${role} exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`townhall ${role} was not ready after ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, output: () => output, exited };
}

export async function startChaosHub(options: {
  sandbox: Sandbox;
  temporalAddress: string;
  databaseUrl: string;
}): Promise<ChaosHub> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-chaos-hub-'));
  const configFile = path.join(dir, 'townhall.config.yaml');
  writeFileSync(configFile, chaosConfig(options.sandbox));
  const env = (role: string): NodeJS.ProcessEnv => ({
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: `chaos-${randomBytes(4).toString('hex')}`,
    TOWNHALL_DATA_DIR: path.join(dir, role),
    DATABASE_URL: options.databaseUrl,
    TOWNHALL_PUBLIC_URL: 'https://townhall.chaos.test',
    // A key of this run's own; split roles refuse to start without one.
    TOWNHALL_PAYLOAD_KEYS: `chaos-1:${randomBytes(32).toString('base64')}`,
  });
  const shared = env('shared');
  const roleEnv = (role: string) => ({ ...shared, TOWNHALL_DATA_DIR: path.join(dir, role) });

  const server = await spawnRole('server', configFile, {
    ...roleEnv('server'),
    PORT: String(await freePort()),
  });
  const match = /^\s+server\s+(http:\/\/\S+)/m.exec(server.output());
  if (!match?.[1]) throw new Error(`townhall server printed no URL:\n${server.output()}`);
  let worker = await spawnRole('worker', configFile, { ...roleEnv('worker'), PORT: '0' });

  let stopping = false;
  return {
    serverUrl: match[1],
    server,
    worker: () => worker,
    async killAndRestartWorker() {
      worker.child.kill('SIGKILL');
      await worker.exited;
      // A kill under way when the suite stops must not leave a new worker behind.
      if (stopping) return;
      worker = await spawnRole('worker', configFile, { ...roleEnv('worker'), PORT: '0' });
      if (stopping) worker.child.kill('SIGKILL');
    },
    async stop() {
      stopping = true;
      for (const process of [worker, server]) {
        process.child.kill('SIGINT');
        const timer = setTimeout(() => process.child.kill('SIGKILL'), 15_000);
        await process.exited;
        clearTimeout(timer);
      }
    },
  };
}
