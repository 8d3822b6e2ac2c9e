// Freshdesk's automation-rule webhooks through the hub's HTTP route: the shared secret header,
// malformed bodies, and what the emulator's agent actions deliver, stored as BusinessEvents.
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FreshdeskConnector } from '../../connectors/freshdesk/client.js';
import { createFreshdeskConnector } from '../../connectors/freshdesk/client.js';
import type { FreshdeskConfig } from '../../connectors/freshdesk/config.js';
import { createLogger } from '../../runtime/logger.js';
import { FRESHDESK_SANDBOX_PATH } from '../../sandbox/freshdesk/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { createApp } from '../../server/app.js';
import { createBusinessEventRouter } from '../../server/business-router.js';
import { webhookRoutes } from '../../server/webhooks.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { freePort } from '../support/ports.js';

const SECRET = 'freshdesk-webhook-test-secret';
const KEY = 'freshdesk-webhook-test-key';
const logger = createLogger('test');
logger.level = 'silent';

let t: TestDb;
let sandbox: Sandbox;
let server: Server;
let url: string;
let freshdesk: FreshdeskConnector;

/** `secret: null` sends no secret header at all. */
function deliver(body: unknown, secret: string | null = SECRET) {
  return fetch(`${url}/webhooks/freshdesk`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secret !== null ? { 'x-townhall-secret': secret } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const reply = {
  event: 'reply',
  ticket_id: 5158,
  external_id: 'handoff:discourse:77',
  status: 'Open',
  body: 'We are on it.',
  public: true,
  author_id: '43000000002',
  author_name: 'Support Agent',
  author_type: 'agent',
  occurred_at: '2025-01-08T14:25:30Z',
};

const rows = () =>
  t.db
    .selectFrom('received_events')
    .select(['event_id', 'type', 'payload'])
    .where('platform', '=', 'freshdesk')
    .orderBy('received_at')
    .execute();

beforeAll(async () => {
  t = await openTestDb();
  const business = createBusinessEventRouter({ db: t.db, logger });
  const noCommunityEvents = () => Promise.reject(new Error('no community events expected'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  sandbox = await startSandbox({
    port: await freePort(),
    vendors: { freshdesk: { apiKey: KEY, webhookSecret: SECRET } },
    townhallUrl: url,
  });
  const config: FreshdeskConfig = {
    baseUrl: `${sandbox.url}${FRESHDESK_SANDBOX_PATH}`,
    apiKey: KEY,
    webhookSecret: SECRET,
    externalIdField: 'cf_townhall_external_id',
    tags: [],
  };
  const app = createApp({
    logger,
    webhooks: webhookRoutes(
      { freshdesk: config },
      { community: noCommunityEvents, business },
      logger,
    ),
    checks: {},
  });
  await new Promise<void>((resolve) => {
    server = app.listen(port, '127.0.0.1', () => resolve());
  });
  freshdesk = createFreshdeskConnector(config);
});
beforeEach(async () => {
  await t.db.deleteFrom('received_events').execute();
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
});
afterAll(async () => {
  server?.close();
  await sandbox?.stop();
  await t?.close();
});

describe('POST /webhooks/freshdesk', () => {
  it('records a rule’s reply once; the same delivery again is a duplicate', async () => {
    expect(await (await deliver(reply)).json()).toEqual({ ok: true, outcome: 'recorded' });
    expect(await (await deliver(reply)).json()).toEqual({ ok: true, outcome: 'duplicate' });
    const stored = await rows();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.payload).toMatchObject({
      type: 'ticket.comment_added',
      system: 'freshdesk',
      ticketId: '5158',
      externalId: 'handoff:discourse:77',
      public: true,
      author: { id: '43000000002', name: 'Support Agent', role: 'agent' },
      text: 'We are on it.',
      occurredAt: '2025-01-08T14:25:30.000Z',
    });
  });

  it('answers a wrong, short, long or missing secret with 401, recording nothing', async () => {
    const answers = await Promise.all([
      deliver(reply, 'not-the-secret-at-all-but-long'),
      deliver(reply, SECRET.slice(0, -1)),
      deliver(reply, `${SECRET}x`),
      deliver(reply, ''),
      deliver(reply, null),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    expect(await rows()).toEqual([]);
  });

  it('answers malformed bodies with 400 and unknown events with 200, recording nothing', async () => {
    expect((await deliver('{"event": "reply"')).status).toBe(400);
    const noTicket = await deliver({ ...reply, ticket_id: undefined });
    expect(noTicket.status).toBe(400);
    expect(((await noTicket.json()) as { error: string }).error).toContain('ticket_id');
    expect((await deliver({ ...reply, body: 42 })).status).toBe(400);
    const other = await deliver({ ...reply, event: 'priority' });
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({ ignored: expect.stringContaining('priority') });
    expect(await rows()).toEqual([]);
  });
});

describe('the Freshdesk emulator’s rule webhooks reach townhall', () => {
  const agent = async (ticketId: number, action: string, body: unknown = {}) => {
    const response = await fetch(
      `${sandbox.url}/_sandbox/freshdesk/tickets/${ticketId}/${action}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
    );
    expect(response.status).toBe(200);
    return (await response.json()) as {
      webhooks: { deliveryId: string; status: number; response: string }[];
    };
  };

  it('an agent’s reply, note, resolve and reopen arrive as BusinessEvents', async () => {
    const { ticket } = await freshdesk.createTicket({
      externalId: 'handoff:discourse:91',
      requester: { email: 'ada@example.com', name: 'Ada' },
      subject: 'Export fails',
      description: 'CSV export times out.',
    });
    const replied = await agent(ticket.id, 'reply', { body: 'Fixed in 2.4.1, please retry.' });
    expect(JSON.parse(replied.webhooks[0]!.response)).toEqual({ ok: true, outcome: 'recorded' });
    await agent(ticket.id, 'note', { body: 'Customer on the old plan' });
    const resolved = await agent(ticket.id, 'resolve');
    await agent(ticket.id, 'reopen');

    const payloads = (await rows()).map((row) => row.payload);
    expect(payloads).toEqual([
      expect.objectContaining({
        type: 'ticket.comment_added',
        ticketId: String(ticket.id),
        externalId: 'handoff:discourse:91',
        public: true,
        author: expect.objectContaining({ name: 'Sandbox Agent', role: 'agent' }),
        text: 'Fixed in 2.4.1, please retry.',
      }),
      expect.objectContaining({ type: 'ticket.comment_added', public: false }),
      expect.objectContaining({
        type: 'ticket.status_changed',
        externalId: 'handoff:discourse:91',
        status: 'resolved',
        vendorStatus: 'resolved',
      }),
      expect.objectContaining({ type: 'ticket.status_changed', status: 'open' }),
    ]);

    // Freshdesk retrying a webhook: the same bytes, so the same event id; one row stays.
    const again = await fetch(
      `${sandbox.url}/_sandbox/freshdesk/webhooks/${resolved.webhooks[0]!.deliveryId}/redeliver`,
      { method: 'POST' },
    );
    expect(JSON.parse(((await again.json()) as { response: string }).response)).toEqual({
      ok: true,
      outcome: 'duplicate',
    });
    expect(await rows()).toHaveLength(4);
  });
});
