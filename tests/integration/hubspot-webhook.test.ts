import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createHubSpotConnector } from '../../connectors/hubspot/client.js';
import { hubspotConfigSchema } from '../../connectors/hubspot/config.js';
import { signHubSpotV3 } from '../../connectors/hubspot/signature.js';
import { createLogger } from '../../runtime/logger.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import { SANDBOX_PORTAL_ID } from '../../sandbox/hubspot/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { createApp } from '../../server/app.js';
import { createBusinessEventRouter } from '../../server/business-router.js';
import { storeCheck } from '../../server/health.js';
import { createEventRouter } from '../../server/router.js';
import { webhookRoutes } from '../../server/webhooks.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { freePort } from '../support/ports.js';
import { SANDBOX_HUBSPOT_TOKEN, waitFor } from '../support/sandbox.js';

const clientSecret = 'hubspot-webhook-test-secret';
const logger = createLogger('test');
logger.level = 'silent';

let t: TestDb;
let sandbox: Sandbox;
let server: Server;
let url: string;

beforeAll(async () => {
  t = await openTestDb();
  const route = createEventRouter({
    db: t.db,
    temporal: createTemporalClient(inject('temporalAddress'), 'default'),
    taskQueue: 'unused',
    workflows: {},
    logger,
  });
  const hubspot = hubspotConfigSchema.parse({ accessToken: SANDBOX_HUBSPOT_TOKEN, clientSecret });
  const app = createApp({
    logger,
    webhooks: webhookRoutes(
      { hubspot },
      { community: route, business: createBusinessEventRouter({ db: t.db, logger }) },
      logger,
    ),
    checks: { store: storeCheck(t.db) },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => {
    server = app.listen(port, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${port}`;
  sandbox = await startSandbox({
    port: await freePort(),
    vendors: { hubspot: { accessToken: SANDBOX_HUBSPOT_TOKEN, clientSecret } },
    townhallUrl: url,
  });
});
beforeEach(async () => {
  await t.db.deleteFrom('received_events').execute();
});
afterAll(async () => {
  server?.close();
  await sandbox?.stop();
  await t?.close();
});

const recorded = async () =>
  (
    await t.db
      .selectFrom('received_events')
      .select(['event_id', 'type', 'payload'])
      .orderBy('event_id')
      .execute()
  ).map((row) => ({
    eventId: row.event_id,
    type: row.type,
    payload: row.payload as Record<string, unknown>,
  }));

const occurredAt = Date.now();
const batch = [
  {
    eventId: 101,
    subscriptionId: 1,
    portalId: 77,
    appId: 9,
    occurredAt,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: 1201,
    propertyName: 'lifecyclestage',
    propertyValue: 'customer',
    changeSource: 'CRM_UI',
  },
  {
    eventId: 102,
    subscriptionId: 2,
    portalId: 77,
    appId: 9,
    occurredAt,
    subscriptionType: 'contact.deletion',
    attemptNumber: 0,
    objectId: 1202,
    changeSource: 'CRM_UI',
  },
];

/** POSTs to /webhooks/hubspot with HubSpot's v3 headers, signed correctly unless told otherwise. */
function deliver(
  body: unknown,
  options: { secret?: string; timestamp?: number; signedBody?: Buffer; signedUri?: string } = {},
) {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const timestamp = String(options.timestamp ?? Date.now());
  const signature = signHubSpotV3(options.secret ?? clientSecret, {
    method: 'POST',
    uri: options.signedUri ?? `${url}/webhooks/hubspot`,
    rawBody: options.signedBody ?? raw,
    timestamp,
  });
  return fetch(`${url}/webhooks/hubspot`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hubspot-signature-v3': signature,
      'x-hubspot-request-timestamp': timestamp,
    },
    body: raw,
  });
}

describe('POST /webhooks/hubspot', () => {
  it('records every event of a valid batch once; a redelivery finds duplicates', async () => {
    const first = await deliver(batch);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, outcome: { recorded: 2, duplicate: 0 } });
    expect(await recorded()).toEqual([
      {
        eventId: 'hubspot:77:101',
        type: 'contact.changed',
        payload: expect.objectContaining({ contactId: '1201', properties: ['lifecyclestage'] }),
      },
      {
        eventId: 'hubspot:77:102',
        type: 'contact.deleted',
        payload: expect.objectContaining({ contactId: '1202' }),
      },
    ]);
    // The property's new value is personal data: it is not stored.
    expect(JSON.stringify(await recorded())).not.toContain('customer');

    // HubSpot retries with a new timestamp and signature, same events.
    const again = await deliver(batch.map((e) => ({ ...e, attemptNumber: 1 })));
    expect(await again.json()).toEqual({ ok: true, outcome: { recorded: 0, duplicate: 2 } });
    expect(await recorded()).toHaveLength(2);
  });

  it.each([
    ['forged (another secret)', { secret: 'not-the-secret' }],
    ['stale (6 minutes old)', { timestamp: Date.now() - 6 * 60_000 }],
    [
      're-serialized (other bytes than were signed)',
      { signedBody: Buffer.from(JSON.stringify(batch, null, 1)) },
    ],
    ['signed for another URL', { signedUri: 'https://elsewhere.example.com/webhooks/hubspot' }],
  ])('401s a %s delivery and records nothing', async (_what, options) => {
    const response = await deliver(batch, options);
    expect(response.status).toBe(401);
    expect(await recorded()).toEqual([]);
  });

  it('401s a delivery without signature headers', async () => {
    const response = await fetch(`${url}/webhooks/hubspot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    expect(response.status).toBe(401);
    expect(await recorded()).toEqual([]);
  });

  it('400s a validly signed body that is not a HubSpot batch; 200s one with no contact events', async () => {
    expect((await deliver({ eventId: 1 })).status).toBe(400);
    expect((await deliver('[{"eventId": 1')).status).toBe(400);
    const deals = await deliver([{ ...batch[1], subscriptionType: 'deal.creation' }]);
    expect(deals.status).toBe(200);
    expect(await deals.json()).toEqual({ ok: true, ignored: 'no contact events (deal.creation)' });
    expect(await recorded()).toEqual([]);
  });
});

describe('the sandbox sends signed webhooks when contacts change', () => {
  it('creation, property change and deletion arrive and are recorded', async () => {
    const hubspot = createHubSpotConnector({
      accessToken: SANDBOX_HUBSPOT_TOKEN,
      baseUrl: sandbox.url,
    });
    const { contactId } = await hubspot.upsertContact({ email: 'lin@example.com', properties: {} });
    await hubspot.updateContact({ id: contactId, properties: { firstname: 'Lin' } });
    await hubspot.archiveContacts([contactId]);

    const events = await waitFor('three HubSpot events', async () => {
      const rows = await recorded();
      return rows.length >= 3 ? rows : undefined;
    });
    const prefix = `hubspot:${SANDBOX_PORTAL_ID}:`;
    expect(events.every((e) => e.eventId.startsWith(prefix))).toBe(true);
    expect(events.map((e) => [e.type, e.payload.properties])).toEqual([
      ['contact.changed', []],
      ['contact.changed', ['firstname']],
      ['contact.deleted', undefined],
    ]);
    expect(events.every((e) => e.payload.contactId === contactId)).toBe(true);
    // Changes close together travel in one request, as HubSpot batches them. The rows are stored
    // before the hub answers (it routes them first): wait for the answers before reading them (a
    // CI run read a delivery still pending).
    const deliveries = await waitFor('the deliveries answered', () => {
      const all = sandbox.emulators.hubspot.webhookDeliveries();
      return all.every((d) => d.status !== 'pending') ? all : undefined;
    });
    expect(deliveries.map((d) => [d.status, d.attempts])).toEqual(deliveries.map(() => [200, 1]));
    expect(deliveries.reduce((sum, d) => sum + d.events, 0)).toBe(3);
  });
});
