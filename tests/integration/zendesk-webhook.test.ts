// Over 300 lines: one signed-webhook scenario end to end (agent action in the emulator, signed
// delivery, stored event); its cases share the server and sandbox a split would duplicate.
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createZendeskConnector } from '../../connectors/zendesk/client.js';
import type { ZendeskConnector } from '../../connectors/zendesk/client.js';
import { signZendeskWebhook } from '../../connectors/zendesk/signature.js';
import { createLogger } from '../../runtime/logger.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { createApp } from '../../server/app.js';
import { createBusinessEventRouter } from '../../server/business-router.js';
import { webhookRoutes } from '../../server/webhooks.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/sandbox.js';

const SECRET = 'zendesk-webhook-test-secret';
const EMAIL = 'townhall@example.zendesk.test';
const TOKEN = 'zendesk-webhook-test-token';
const logger = createLogger('test');
logger.level = 'silent';

let t: TestDb;
let sandbox: Sandbox;
let server: Server;
let url: string;
let zendesk: ZendeskConnector;

/** Zendesk's signature timestamp: ISO 8601 to the second. */
const stamp = (date = new Date()) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** POSTs raw bytes to /webhooks/zendesk, signed as Zendesk signs unless told otherwise. */
function deliver(
  body: unknown,
  options: { secret?: string; timestamp?: string; signature?: string; signedBody?: Buffer } = {},
) {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const timestamp = options.timestamp ?? stamp();
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'x-zendesk-webhook-signature-timestamp': timestamp,
    'x-zendesk-webhook-signature':
      options.signature ??
      signZendeskWebhook(options.secret ?? SECRET, timestamp, options.signedBody ?? raw),
  };
  return fetch(`${url}/webhooks/zendesk`, { method: 'POST', headers, body: raw });
}

/** Shaped like the examples on Zendesk's "Ticket events" reference page. */
const statusChanged = (eventId: string, current = 'SOLVED', previous = 'OPEN') => ({
  account_id: 22129848,
  detail: {
    actor_id: '8447388090494',
    assignee_id: '8447388090494',
    created_at: '2025-01-08T10:12:07Z',
    external_id: 'handoff:discourse:77',
    id: '5158',
    priority: 'HIGH',
    requester_id: '8447388090495',
    status: current,
    subject: 'Cannot login to mobile app',
    updated_at: '2025-01-08T16:45:20Z',
    via: { channel: 'web_form' },
  },
  event: { current, previous },
  id: eventId,
  subject: 'zen:ticket:5158',
  time: '2025-01-08T16:45:20.987654321Z',
  type: 'zen:event-type:ticket.status_changed',
  zendesk_event_version: '2022-11-06',
});

const commentAdded = (eventId: string) => ({
  account_id: 22129848,
  detail: {
    id: '5158',
    external_id: 'handoff:discourse:77',
    requester_id: '8447388090495',
    status: 'OPEN',
  },
  event: {
    comment: {
      id: 9876543210,
      body: 'We are investigating this issue and will update you shortly.',
      is_public: true,
      author: { id: 8447388090494, is_staff: true, name: 'Support Agent' },
    },
  },
  id: eventId,
  subject: 'zen:ticket:5158',
  time: '2025-01-08T14:25:30.123456789Z',
  type: 'zen:event-type:ticket.comment_added',
  zendesk_event_version: '2022-11-06',
});

const rows = () =>
  t.db
    .selectFrom('received_events')
    .select(['event_id', 'platform', 'type', 'payload', 'processed_at'])
    .where('platform', '=', 'zendesk')
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
    vendors: { zendesk: { email: EMAIL, apiToken: TOKEN, webhookSecret: SECRET } },
    townhallUrl: url,
  });
  const zendeskConfig = {
    baseUrl: sandbox.url,
    email: EMAIL,
    apiToken: TOKEN,
    webhookSecret: SECRET,
    ticketDefaults: { tags: [] },
  };
  const app = createApp({
    logger,
    webhooks: webhookRoutes(
      { zendesk: zendeskConfig },
      { community: noCommunityEvents, business },
      logger,
    ),
    checks: {},
  });
  await new Promise<void>((resolve) => {
    server = app.listen(port, '127.0.0.1', () => resolve());
  });
  zendesk = createZendeskConnector(zendeskConfig);
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

describe('POST /webhooks/zendesk', () => {
  it('records a signed status change once; a redelivery of the same event is a duplicate', async () => {
    const body = statusChanged('a8b9c1d2-3e4f-5a6b-7c8d-9e0f1a2b3c4d');
    const first = await deliver(body);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, outcome: 'recorded' });
    // Zendesk's retry: the same body, signed again with a new timestamp.
    const again = await deliver(body, { timestamp: stamp(new Date(Date.now() + 1_000)) });
    expect(await again.json()).toEqual({ ok: true, outcome: 'duplicate' });

    const stored = await rows();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      event_id: 'zendesk:22129848:a8b9c1d2-3e4f-5a6b-7c8d-9e0f1a2b3c4d',
      type: 'ticket.status_changed',
      payload: {
        system: 'zendesk',
        ticketId: '5158',
        externalId: 'handoff:discourse:77',
        status: 'resolved',
        vendorStatus: 'solved',
        occurredAt: '2025-01-08T16:45:20.987Z',
      },
    });
    expect(stored[0]?.processed_at).not.toBeNull();
  });

  it('records a comment with its author and visibility', async () => {
    const response = await deliver(commentAdded('d4f5c389-8f4a-4c2e-a1b9-8e4f39c71d52'));
    expect(await response.json()).toEqual({ ok: true, outcome: 'recorded' });
    expect((await rows())[0]?.payload).toEqual({
      type: 'ticket.comment_added',
      eventId: 'zendesk:22129848:d4f5c389-8f4a-4c2e-a1b9-8e4f39c71d52',
      system: 'zendesk',
      occurredAt: '2025-01-08T14:25:30.123Z',
      ticketId: '5158',
      externalId: 'handoff:discourse:77',
      commentId: '9876543210',
      public: true,
      author: { id: '8447388090494', name: 'Support Agent', role: 'agent' },
      text: 'We are investigating this issue and will update you shortly.',
    });
  });

  it('rejects forged, tampered, stale, unsigned and re-serialized deliveries with 401, recording nothing', async () => {
    const body = statusChanged('forged-1');
    const raw = Buffer.from(JSON.stringify(body, null, 1));
    const sixMinutesAgo = stamp(new Date(Date.now() - 6 * 60_000));
    const attempts = [
      deliver(body, { secret: 'not-the-secret' }),
      deliver(body, { signature: 'AAAA' }),
      deliver(body, { signature: '' }),
      deliver({ ...body, id: 'forged-2' }, { signedBody: Buffer.from(JSON.stringify(body)) }),
      deliver(body, { timestamp: sixMinutesAgo }),
      deliver(body, { timestamp: stamp(new Date(Date.now() + 6 * 60_000)) }),
      deliver(body, { timestamp: 'yesterday' }),
      // Signed over the bytes Zendesk sent; what arrives was parsed and serialized again.
      deliver(JSON.stringify(JSON.parse(raw.toString())), { signedBody: raw }),
      fetch(`${url}/webhooks/zendesk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    ];
    for (const response of await Promise.all(attempts)) expect(response.status).toBe(401);
    expect(await rows()).toEqual([]);
    // The same stale body is accepted once signed now: the timestamp was the only problem.
    expect((await deliver(body)).status).toBe(200);
  });

  it('answers malformed signed bodies with 400 and events it does not handle with 200, recording nothing', async () => {
    expect((await deliver('{"type": "zen:event-type:ticket.status_changed"')).status).toBe(400);
    const noTicket = statusChanged('no-ticket') as Record<string, unknown>;
    noTicket.detail = { status: 'OPEN' };
    const malformed = await deliver(noTicket);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toContain('detail.id');
    expect((await deliver({ ...commentAdded('c'), event: {} })).status).toBe(400);

    const other = await deliver({
      ...statusChanged('p'),
      type: 'zen:event-type:ticket.priority_changed',
    });
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({
      ok: true,
      ignored: expect.stringContaining('priority_changed'),
    });
    expect(await rows()).toEqual([]);
  });
});

describe('the Zendesk emulator’s signed webhooks reach townhall', () => {
  interface AgentAnswer {
    ticket: { id: number; status: string };
    webhooks: { status: number; type: string; response: string; invocationId: string }[];
  }
  const agent = async (
    ticketId: number,
    action: 'reply' | 'note' | 'solve' | 'reopen',
    body: unknown = {},
  ) => {
    const response = await fetch(`${sandbox.url}/_sandbox/zendesk/tickets/${ticketId}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as AgentAnswer;
  };

  it('an agent’s public reply, internal note and solve arrive as comment and status events', async () => {
    const { ticket } = await zendesk.createTicket({
      externalId: 'handoff:discourse:91',
      requester: { email: 'ada@example.com' },
      subject: 'Export fails',
      comment: { body: 'CSV export times out.' },
    });

    const reply = await agent(ticket.id, 'reply', { body: 'Fixed in 2.4.1, please retry.' });
    expect(reply.webhooks).toEqual([
      expect.objectContaining({ type: 'zen:event-type:ticket.comment_added', status: 200 }),
    ]);
    expect(JSON.parse(reply.webhooks[0]!.response)).toEqual({ ok: true, outcome: 'recorded' });
    // Zendesk sends ticket.comment_added for notes too, is_public false.
    const note = await agent(ticket.id, 'note', { body: 'Customer on the old plan' });
    expect(note.webhooks).toEqual([
      expect.objectContaining({ type: 'zen:event-type:ticket.comment_added', status: 200 }),
    ]);
    const solved = await agent(ticket.id, 'solve');
    expect(solved.ticket.status).toBe('solved');
    expect(solved.webhooks.map((w) => [w.type, w.status])).toEqual([
      ['zen:event-type:ticket.status_changed', 200],
    ]);

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
      expect.objectContaining({
        type: 'ticket.comment_added',
        public: false,
        author: expect.objectContaining({ role: 'agent' }),
        text: 'Customer on the old plan',
      }),
      expect.objectContaining({
        type: 'ticket.status_changed',
        ticketId: String(ticket.id),
        externalId: 'handoff:discourse:91',
        status: 'resolved',
        vendorStatus: 'solved',
      }),
    ]);

    // Zendesk retrying a delivery: same event id, new signature; townhall keeps one row.
    const redelivered = await fetch(
      `${sandbox.url}/_sandbox/zendesk/webhooks/${solved.webhooks[0]!.invocationId}/redeliver`,
      { method: 'POST' },
    );
    expect(JSON.parse(((await redelivered.json()) as { response: string }).response)).toEqual({
      ok: true,
      outcome: 'duplicate',
    });
    expect(await rows()).toHaveLength(3);

    // The agent reopening it: a status change back to open.
    const reopened = await agent(ticket.id, 'reopen');
    expect(reopened.ticket.status).toBe('open');
    expect((await rows()).at(-1)?.payload).toMatchObject({
      type: 'ticket.status_changed',
      status: 'open',
      vendorStatus: 'open',
    });
  });

  it('a status change made through the API is delivered too (asynchronously)', async () => {
    const { ticket } = await zendesk.createTicket({
      externalId: 'handoff:slack:C1:1.2',
      requester: { email: 'grace@example.com' },
      subject: 'Billing question',
      comment: { body: 'Why was I charged twice?' },
    });
    await zendesk.updateStatus({ ticketId: ticket.id, status: 'pending' });
    const row = await waitFor(
      'the pending status to be recorded',
      async () => (await rows())[0],
      5_000,
    );
    expect(row.payload).toMatchObject({
      type: 'ticket.status_changed',
      externalId: 'handoff:slack:C1:1.2',
      status: 'waiting',
      vendorStatus: 'pending',
    });
  });
});
