// A new vendor is one folder plus one line in the registry: tests/support/example-connector/ is
// a made-up vendor that no file of townhall knows. Listed next to the real connectors here (the
// line connectors/index.ts would get), it is validated in the config, its webhook is mounted,
// its signature header is redacted in logs, its emulator is served, and the onboarding journey
// DMs its members through the capability it declares.
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { createActivities } from '../../activities/index.js';
import type { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/load.js';
import { buildConfigSchema } from '../../config/schema.js';
import { connectors } from '../../connectors/index.js';
import { buildCapabilities } from '../../runtime/capabilities.js';
import { createLogger } from '../../runtime/logger.js';
import { routingFor } from '../../runtime/routing.js';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import { startSandbox } from '../../sandbox/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import type { EmulatorsOf } from '../../sandbox/registry.js';
import { emulatorsOf } from '../../sandbox/registry.js';
import { createApp } from '../../server/app.js';
import { createEventRouter } from '../../server/router.js';
import { webhookRoutes } from '../../server/webhooks.js';
import { workflows } from '../../workflows/registry.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { example } from '../support/example-connector/index.js';
import { signExample } from '../support/example-connector/signature.js';
import { countReceivedEvents } from '../support/observe.js';
import { waitFor } from '../support/sandbox.js';
import { startTestWorker } from '../support/worker.js';

const registry = [...connectors, example] as const;
const schema = buildConfigSchema({ connectors: registry, workflows });
const quiet = createLogger('test');
quiet.level = 'silent';
const taskQueue = `registry-test-${randomBytes(4).toString('hex')}`;
const secret = 'example-test-secret';

const configText = (apiUrl: string, exampleSecret = secret) => `
connectors:
  example: { secret: ${exampleSecret}, apiUrl: '${apiUrl}' }
workflows:
  onboarding:
    steps:
      - dm.send: { text: 'Welcome, {{ member.name }}!' }
`;

let t: TestDb;
let sandbox: Sandbox<EmulatorsOf<typeof registry>>;
let temporal: Client;
let worker: RunningWorker;
let server: Server;
let url: string;

beforeAll(async () => {
  t = await openTestDb();
  sandbox = await startSandbox({
    port: 0,
    emulators: emulatorsOf(registry),
    vendors: { example: { secret } },
  });
  const config = parseConfig(configText(sandbox.url), 'registry.yaml', {}, schema);
  temporal = createTemporalClient(inject('temporalAddress'), 'default');
  const context = { logger: quiet, configDir: '.', publicUrl: 'http://127.0.0.1', dataDir: '.' };
  worker = await startTestWorker({
    taskQueue,
    activities: createActivities({
      db: t.db,
      logger: quiet,
      publicUrl: context.publicUrl,
      ...buildCapabilities(config, registry, context),
    }),
  });
  const route = createEventRouter({
    db: t.db,
    temporal,
    taskQueue,
    workflows: config.workflows,
    routing: routingFor(config, registry, taskQueue),
    logger: quiet,
  });
  const app = createApp({
    logger: quiet,
    webhooks: webhookRoutes(config.connectors, { community: route }, quiet, registry),
    checks: {},
  });
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  sandbox.setTownhallUrl(url);
});
afterAll(async () => {
  await worker?.shutdown();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await sandbox?.stop();
  await t?.close();
});

describe('a connector registered only in this test', () => {
  it('has its config section validated, with paths, and described in the JSON Schema', () => {
    const problems = (() => {
      try {
        parseConfig(configText('http://127.0.0.1', 'short'), 'registry.yaml', {}, schema);
        return [];
      } catch (error) {
        return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
      }
    })();
    expect(problems).toEqual(['connectors.example.secret: use at least 8 characters']);
    const json = JSON.stringify(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
    expect(json).toContain('Signs the example webhooks');
    // Its capability counts: without it, the same dm.send step has no platform to go out on.
    expect(() => parseConfig(configText('http://127.0.0.1'), 'registry.yaml', {})).toThrow(
      /connectors\.example/,
    );
  });

  it('has its webhook mounted: signed deliveries start the journey, forged ones get 401', async () => {
    const body = JSON.stringify({ id: 'evt-forged', user: 'mallory' });
    const forged = await fetch(`${url}/webhooks/example`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-example-signature': '0'.repeat(64) },
      body,
    });
    expect(forged.status).toBe(401);
    expect(await countReceivedEvents(t.db)).toBe(0);

    // Its own emulator delivers a signed join, twice (a redelivery).
    for (const _ of [1, 2]) {
      const emitted = await fetch(`${sandbox.url}/_sandbox/example/emit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'evt-1', user: 'ada' }),
      });
      expect(emitted.status).toBe(200);
    }
    const messages = await waitFor('the welcome DM', () => {
      const sent = sandbox.emulators.example.messages;
      return sent.length > 0 ? sent : undefined;
    });
    expect(messages).toEqual([{ to: 'ada', text: 'Welcome, ada!' }]);
    expect(await countReceivedEvents(t.db)).toBe(1);
  });

  it('has its signature header redacted in logs', () => {
    const lines: string[] = [];
    const logger = createLogger(
      'test',
      registry,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const signature = signExample(secret, Buffer.from('{}'));
    logger.warn({ headers: { 'x-example-signature': signature } }, 'webhook rejected');
    expect(lines.join('')).toContain('[redacted]');
    expect(lines.join('')).not.toContain(signature);
  });

  it('cannot take an id or a webhook path another connector has', () => {
    const twin = { ...example, title: 'Example twin' };
    expect(() => buildConfigSchema({ connectors: [...registry, twin], workflows })).toThrow(
      'the connector registry lists id example twice',
    );
    const shadow = { ...example, id: 'shadow' };
    expect(() =>
      webhookRoutes({}, { community: () => Promise.resolve('no-workflow' as const) }, quiet, [
        ...registry,
        shadow,
      ]),
    ).toThrow('the connector registry lists path /webhooks/example twice');
  });
});
