import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { freePort } from '../support/ports.js';
import {
  SANDBOX_HUBSPOT_TOKEN,
  SANDBOX_SLACK_SECRET,
  startTestSandbox,
  waitFor,
} from '../support/sandbox.js';
import { postSlack, teamJoin } from '../support/slack.js';
import type { TownhallProcess } from '../support/townhall-process.js';
import { printedUrl, spawnTownhall } from '../support/townhall-process.js';

let sandbox: Sandbox;
let t: TestDb;
const running: TownhallProcess[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await openTestDb();
});
afterAll(async () => {
  for (const process of running) process.child.kill('SIGKILL');
  await sandbox?.stop();
  await t?.close();
});

function writeConfig(dir: string): string {
  const file = path.join(dir, 'townhall.config.yaml');
  writeFileSync(
    file,
    `
connectors:
  slack:
    signingSecret: ${SANDBOX_SLACK_SECRET}
  hubspot:
    accessToken: ${SANDBOX_HUBSPOT_TOKEN}
    baseUrl: ${sandbox.url}
  email:
    from: Townhall <hello@townhall.test>
    templatesDir: ${path.resolve('config/examples/templates')}
    smtp:
      host: 127.0.0.1
      port: ${sandbox.emulators.email.port}
      tls: { rejectUnauthorized: false }
    unsubscribeSecret: worker-crash-test-unsubscribe-secret
workflows:
  onboarding:
    steps:
      - crm.upsert_contact:
      - email.send: { template: welcome, subject: 'Welcome, {{ member.name }}' }
      - wait: 8s
      - email.send: { template: day-two, subject: 'Day two, {{ member.name }}' }
`,
  );
  return file;
}

describe('a worker killed mid-wait', () => {
  it('is restarted and finishes the journey, each email sent once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-crash-'));
    const config = writeConfig(dir);
    const taskQueue = `crash-${randomBytes(4).toString('hex')}`;
    const env = {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      TOWNHALL_DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: t.url ?? '',
    };

    const first = await spawnTownhall(['start', '--config', config], {
      ...env,
      PORT: String(await freePort()),
    });
    running.push(first);
    const joined = await postSlack(
      printedUrl(first, 'server'),
      SANDBOX_SLACK_SECRET,
      teamJoin('UCRASH', 'crash@example.com', 'EvCrash1', 'Ada Crash'),
    );
    expect(joined.status).toBe(200);

    const mail = () =>
      sandbox.emulators.email.list().filter((m) => m.to.includes('crash@example.com'));
    await waitFor('the welcome email', () => (mail().length === 1 ? true : undefined));

    // Mid-wait: no graceful shutdown, no chance to flush anything.
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const killedAt = Date.now();

    const second = await spawnTownhall(['start', '--config', config], {
      ...env,
      PORT: String(await freePort()),
    });
    running.push(second);
    await waitFor('the day-two email', () => (mail().length >= 2 ? true : undefined), 60_000);
    // Give a duplicate every chance to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    expect(mail().map((m) => m.subject)).toEqual(['Welcome, Ada Crash', 'Day two, Ada Crash']);
    expect(Date.parse(mail()[1]!.receivedAt)).toBeGreaterThan(killedAt);
    expect(
      sandbox.emulators.hubspot.list().filter((c) => c.properties.email === 'crash@example.com'),
    ).toHaveLength(1);

    const client = createTemporalClient(inject('temporalAddress'), 'default');
    const runs = [];
    for await (const run of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` }))
      runs.push(run);
    expect(runs.map((run) => run.status.name)).toEqual(['COMPLETED']);

    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });
});
