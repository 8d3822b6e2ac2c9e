// The handoff's one ticket and one acknowledgement survive what production does to them: a worker
// killed after the ticket exists but before the acknowledgement is posted, and a help desk and a
// platform answering 429 again and again. Real hub processes, the sandbox's Slack and Zendesk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { ZENDESK_DEFAULTS } from '../../sandbox/zendesk/index.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import type { DeskTicket } from '../support/handoff.js';
import { emitSlack, joinSlack, pause, threadPosts } from '../support/handoff.js';
import { testDeployment } from '../support/hub.js';
import { sandboxSlackYaml, startTestSandbox, waitFor } from '../support/sandbox.js';
import type { TownhallProcess } from '../support/townhall-process.js';
import { printedUrl } from '../support/townhall-process.js';

let sandbox: Sandbox;
let t: TestDb;
const running: TownhallProcess[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await openTestDb();
});
afterAll(async () => {
  for (const hub of running) hub.child.kill('SIGKILL');
  await sandbox?.stop();
  await t?.close();
});

const config = () => `
connectors:
${sandboxSlackYaml(sandbox, { bot: true })}
  zendesk:
    baseUrl: ${sandbox.url}
    email: ${ZENDESK_DEFAULTS.email}
    apiToken: ${ZENDESK_DEFAULTS.apiToken}
    webhookSecret: ${ZENDESK_DEFAULTS.webhookSecret}
handoff:
  rules:
    - { on: reaction, platform: slack, helpdesk: zendesk }
`;

async function start(deployment: ReturnType<typeof testDeployment>) {
  const hub = await deployment.start();
  running.push(hub);
  sandbox.setTownhallUrl(printedUrl(hub, 'server'));
  return hub;
}

const ticketsFor = async (threadTs: string) =>
  ((await (await fetch(`${sandbox.url}/_sandbox/zendesk/tickets`)).json()) as DeskTicket[]).filter(
    (ticket) => ticket.external_id?.endsWith(`/${threadTs}`),
  );

const acks = (threadTs: string) =>
  threadPosts(sandbox, 'C0GENERAL', threadTs).filter((m) => m.text.includes('ticket #'));

const react = (threadTs: string) =>
  emitSlack(sandbox, {
    type: 'reaction_added',
    user: 'UHELPS001',
    reaction: 'ticket',
    item: { type: 'message', channel: 'C0GENERAL', ts: threadTs },
  });

describe('handoff under crashes and rate limits', () => {
  it('a worker killed after the ticket is made and before the acknowledgement: one ticket, one acknowledgement', async () => {
    const deployment = testDeployment('handoff-crash', config(), t);
    const first = await start(deployment);
    await joinSlack(sandbox, 'UCRASH001', 'Cora Crash');
    const root = await emitSlack(sandbox, { user: 'UCRASH001', text: 'Payments page is blank' });
    // Slack refuses every post for now: the acknowledgement cannot go out.
    sandbox.faults.add({
      vendor: 'slack',
      path: 'chat.postMessage',
      status: 503,
      count: 10_000,
      drop: false,
    });
    await react(root);
    await waitFor('the ticket', async () =>
      (await ticketsFor(root)).length > 0 ? true : undefined,
    );
    await pause(1_000);
    expect(acks(root)).toHaveLength(0);

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    sandbox.faults.reset();
    await start(deployment);

    await waitFor('the acknowledgement', () => (acks(root).length > 0 ? true : undefined), 60_000);
    await react(root);
    await pause(2_000);
    expect(await ticketsFor(root)).toHaveLength(1);
    expect(acks(root)).toHaveLength(1);
  });

  it('a 429 storm from the help desk and from Slack: one ticket, one acknowledgement', async () => {
    const deployment = testDeployment('handoff-429', config(), t);
    await start(deployment);
    await joinSlack(sandbox, 'USTORM001', 'Stella Storm');
    const root = await emitSlack(sandbox, { user: 'USTORM001', text: 'Invoices are wrong' });
    sandbox.faults.add({
      vendor: 'zendesk',
      path: '/api/v2/tickets',
      status: 429,
      retryAfterSeconds: 1,
      count: 4,
      drop: false,
    });
    sandbox.faults.add({
      vendor: 'slack',
      path: 'chat.postMessage',
      status: 429,
      retryAfterSeconds: 1,
      count: 3,
      drop: false,
    });
    for (let i = 0; i < 3; i++) await react(root);
    await waitFor('the acknowledgement', () => (acks(root).length > 0 ? true : undefined), 60_000);
    await pause(2_000);
    // Every storm answer was taken: the calls really were refused and retried.
    expect(sandbox.faults.list()).toEqual([]);
    expect(await ticketsFor(root)).toHaveLength(1);
    expect(acks(root)).toHaveLength(1);
  });
});
