// Over 300 lines: one signed-webhook scenario end to end (agent action in the emulator, signed
// delivery, stored event); its cases share the server and sandbox a split would duplicate.
import type { Server } from 'node:http';
import { IntercomClient } from 'intercom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { BusinessEvent } from '../../connectors/business-events.js';
import { createIntercomConnector } from '../../connectors/intercom/client.js';
import { refFor } from '../../connectors/intercom/dedup.js';
import { signIntercomBody } from '../../connectors/intercom/signature.js';
import { createLogger } from '../../runtime/logger.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import { loadIntercomSpec } from '../../sandbox/intercom/spec.js';
import { startSandbox } from '../../sandbox/index.js';
import type { Delivery } from '../../sandbox/intercom/emit.js';
import { createApp } from '../../server/app.js';
import { createBusinessEventRouter } from '../../server/business-router.js';
import { storeCheck, temporalCheck } from '../../server/health.js';
import { createEventRouter } from '../../server/router.js';
import { webhookRoutes } from '../../server/webhooks.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/sandbox.js';

const SECRET = 'intercom-client-secret-for-tests';
const TOKEN = 'intercom-token-for-tests';
const logger = createLogger('test');
logger.level = 'silent';
const intercomConfig = (baseUrl: string) => ({
  accessToken: TOKEN,
  clientSecret: SECRET,
  baseUrl,
  create: 'ticket' as const,
  ticketTypeId: '1',
  adminId: '991267900',
});

let t: TestDb;
let sandbox: Sandbox;
let server: Server;
let url: string;

function deliver(body: unknown, options: { signature?: string | null; secret?: string } = {}) {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const signature =
    options.signature === undefined
      ? signIntercomBody(options.secret ?? SECRET, raw)
      : options.signature;
  return fetch(`${url}/webhooks/intercom`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'intercom-parrot-service-client/1.0',
      ...(signature === null ? {} : { 'x-hub-signature': signature }),
    },
    body: raw,
  });
}

let notifications = 0;
const notification = (topic: string, item: Record<string, unknown>) => ({
  type: 'notification_event',
  app_id: 'abc123de',
  data: { type: 'notification_event_data', item },
  links: {},
  id: `notif_test-${++notifications}`,
  topic,
  delivery_status: 'pending',
  delivery_attempts: 1,
  delivered_at: 0,
  first_sent_at: 1_767_000_000,
  created_at: 1_767_000_000,
  self: null,
});
const stateUpdated = () =>
  notification('ticket.state.updated', {
    type: 'ticket',
    id: '640',
    ticket_id: '12',
    ticket_attributes: { _default_title_: 'Reset mail', townhall_ref: 'th0123' },
    ticket_state: { type: 'ticket_state', id: '8004', category: 'waiting_on_customer' },
  });

async function events(): Promise<{ event_id: string; platform: string; payload: BusinessEvent }[]> {
  const rows = await t.db
    .selectFrom('received_events')
    .select(['event_id', 'platform', 'payload'])
    .orderBy('received_at')
    .execute();
  return rows.map((row) => ({
    event_id: row.event_id,
    platform: row.platform,
    payload: (typeof row.payload === 'string'
      ? JSON.parse(row.payload)
      : row.payload) as BusinessEvent,
  }));
}

async function agent(path: string, body: unknown = {}) {
  const response = await fetch(`${sandbox.url}/_sandbox/intercom/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { delivery: Delivery | null };
}

beforeAll(async () => {
  t = await openTestDb();
  const temporal = createTemporalClient(inject('temporalAddress'), 'default');
  const route = createEventRouter({
    db: t.db,
    temporal,
    taskQueue: 'intercom-webhook-unused',
    workflows: {},
    logger,
  });
  const business = createBusinessEventRouter({ db: t.db, logger });
  sandbox = await startSandbox({
    port: await freePort(),
    vendors: { intercom: { accessToken: TOKEN, clientSecret: SECRET } },
  });
  const app = createApp({
    logger,
    webhooks: webhookRoutes(
      { intercom: intercomConfig(sandbox.url) },
      { community: route, business },
      logger,
    ),
    checks: { store: storeCheck(t.db), temporal: temporalCheck(temporal) },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => {
    server = app.listen(port, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${port}`;
  sandbox.setTownhallUrl(url);
  // The emulator parses the 2.14 description on its first request; do it before the clock runs.
  loadIntercomSpec();
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

describe('POST /webhooks/intercom', () => {
  it('records a signed ticket state change once, however often it is delivered', async () => {
    const body = stateUpdated();
    const first = await deliver(body);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, outcome: 'recorded' });
    const again = await deliver(body);
    expect(await again.json()).toEqual({ ok: true, outcome: 'duplicate' });
    expect(await events()).toEqual([
      {
        event_id: `intercom:abc123de:${body.id}`,
        platform: 'intercom',
        payload: {
          type: 'ticket.status_changed',
          eventId: `intercom:abc123de:${body.id}`,
          system: 'intercom',
          occurredAt: new Date(1_767_000_000_000).toISOString(),
          ticketId: '640',
          externalId: 'th0123',
          status: 'waiting',
          vendorStatus: 'waiting_on_customer',
        },
      },
    ]);
  });

  it('rejects forged, re-serialized and unsigned deliveries with 401, recording nothing', async () => {
    const body = stateUpdated();
    const raw = Buffer.from(JSON.stringify(body));
    const forged = await deliver(body, { secret: 'not-the-secret' });
    // Same JSON, different bytes: the signature was over the original bytes.
    const reserialized = await deliver(JSON.stringify(body, null, 2), {
      signature: signIntercomBody(SECRET, raw),
    });
    const unsigned = await deliver(body, { signature: null });
    const wrongScheme = await deliver(body, {
      signature: signIntercomBody(SECRET, raw).replace('sha1=', 'sha256='),
    });
    for (const response of [forged, reserialized, unsigned, wrongScheme])
      expect(response.status).toBe(401);
    expect(await events()).toEqual([]);
  });

  it('answers 400 to a signed body that is not a notification, and 200 to ping and others', async () => {
    expect((await deliver('{"type":"notification_event",')).status).toBe(400);
    const { app_id: _dropped, ...noApp } = stateUpdated();
    expect((await deliver(noApp)).status).toBe(400);
    const ping = await deliver({
      type: 'notification_event',
      app_id: 'abc123de',
      data: { type: 'notification_event_data', item: { type: 'ping', message: 'hello' } },
      id: null,
      topic: 'ping',
      created_at: 1_767_000_000,
    });
    expect(ping.status).toBe(200);
    const other = await deliver(
      notification('contact.user.created', { type: 'contact', id: '6762f2d8' }),
    );
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({ ignored: expect.stringContaining('contact.user') });
    expect(await events()).toEqual([]);
  });

  it('an agent replying and resolving in the emulator reaches townhall as signed events', async () => {
    const intercom = createIntercomConnector(intercomConfig(sandbox.url));
    const contact = await intercom.findOrCreateContact({ email: 'ada@example.com' });
    const ticket = await intercom.createTicket({
      contactId: contact.id,
      title: 'Reset mail',
      transcript: 'ada: nothing arrives',
      dedupKey: 'handoff:discourse:77',
    });

    const reply = await agent(`tickets/${ticket.id}/reply`, {
      body: '<p>Try now &amp; tell us.</p>',
    });
    expect(reply.delivery).toMatchObject({ topic: 'ticket.admin.replied', status: 200 });
    const note = await agent(`tickets/${ticket.id}/note`, { body: '<p>internal</p>' });
    expect(note.delivery).toMatchObject({ topic: 'ticket.note.created', status: 200 });
    const resolved = await agent(`tickets/${ticket.id}/resolve`);
    expect(resolved.delivery).toMatchObject({ topic: 'ticket.state.updated', status: 200 });
    // Intercom retrying the same notification: the same event, recorded once.
    const redelivered = await fetch(
      `${sandbox.url}/_sandbox/intercom/webhooks/${resolved.delivery!.notificationId}/redeliver`,
      { method: 'POST' },
    );
    expect(await redelivered.json()).toMatchObject({
      status: 200,
      response: expect.stringContaining('duplicate'),
    });

    const recorded = (await events()).map((e) => e.payload);
    expect(recorded).toEqual([
      expect.objectContaining({
        type: 'ticket.comment_added',
        system: 'intercom',
        eventId: `intercom:th5andbx:${reply.delivery!.notificationId}`,
        ticketId: ticket.id,
        externalId: refFor('handoff:discourse:77'),
        public: true,
        author: { id: '991267900', name: 'Sandbox Agent', role: 'agent' },
        text: 'Try now & tell us.',
      }),
      expect.objectContaining({
        type: 'ticket.comment_added',
        ticketId: ticket.id,
        public: false,
        author: { id: '991267900', name: 'Sandbox Agent', role: 'agent' },
        text: 'internal',
      }),
      expect.objectContaining({
        type: 'ticket.status_changed',
        ticketId: ticket.id,
        externalId: ticket.externalId,
        status: 'resolved',
        vendorStatus: 'resolved',
      }),
    ]);
  });

  it('a state change made through the API and a conversation reply are delivered too', async () => {
    const intercom = createIntercomConnector(intercomConfig(sandbox.url));
    const contact = await intercom.findOrCreateContact({ email: 'grace@example.com' });
    const ticket = await intercom.createTicket({
      contactId: contact.id,
      title: 'Login loop',
      transcript: 'grace: the login page loops',
      dedupKey: 'handoff:slack:C1:1',
    });
    const sdk = new IntercomClient({ token: TOKEN, baseUrl: sandbox.url, maxRetries: 0 });
    const states = (await sdk.ticketTypes.get({ ticket_type_id: '1' }))?.ticket_states?.data;
    const target = states?.find((state) => state?.category === 'waiting_on_customer');
    await sdk.tickets.update({ ticket_id: ticket.id, ticket_state_id: target!.id! });
    const waiting = await waitFor('the state change event', async () =>
      (await events()).find((e) => e.payload.type === 'ticket.status_changed'),
    );
    expect(waiting.payload).toMatchObject({ status: 'waiting', ticketId: ticket.id });
    // townhall reopening it (the handoff's explicit reopen) is a state change like any other.
    await intercom.reopen(ticket.id);
    const reopened = await waitFor('the reopen event', async () =>
      (await events()).find(
        (e) => e.payload.type === 'ticket.status_changed' && e.event_id !== waiting.event_id,
      ),
    );
    expect(reopened.payload).toMatchObject({ status: 'open', vendorStatus: 'in_progress' });

    const conversations = createIntercomConnector({
      ...intercomConfig(sandbox.url),
      create: 'conversation',
    });
    const conversation = await conversations.createTicket({
      contactId: contact.id,
      title: 'Login loop',
      transcript: 'grace: the login page loops',
      dedupKey: 'handoff:slack:C1:2',
    });
    const reply = await agent(`conversations/${conversation.id}/reply`, { body: 'Fixed!' });
    expect(reply.delivery).toMatchObject({ topic: 'conversation.admin.replied', status: 200 });
    expect((await events()).at(-1)?.payload).toMatchObject({
      type: 'ticket.comment_added',
      ticketId: conversation.id,
      externalId: conversation.externalId,
      text: 'Fixed!',
    });
  });
});
