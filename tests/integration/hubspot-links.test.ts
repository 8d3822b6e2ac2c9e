import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hubspotCrm } from '../../connectors/hubspot/capabilities.js';
import type { HubSpotConnector } from '../../connectors/hubspot/client.js';
import { createHubSpotConnector } from '../../connectors/hubspot/client.js';
import { hubspotConfigSchema } from '../../connectors/hubspot/config.js';
import type { Crm } from '../../connectors/ports.js';
import { createLogger } from '../../runtime/logger.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { createApp } from '../../server/app.js';
import { createBusinessEventRouter } from '../../server/business-router.js';
import { storeCheck } from '../../server/health.js';
import { createEventRouter } from '../../server/router.js';
import { webhookRoutes } from '../../server/webhooks.js';
import { linkPerson, linksOf } from '../../store/crm-links.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { freePort } from '../support/ports.js';
import { SANDBOX_HUBSPOT_TOKEN, waitFor } from '../support/sandbox.js';

/**
 * HubSpot's contact webhooks keep townhall's CRM links right, through the real server: the
 * sandbox signs deletion, merge and property-change events and delivers them to
 * /webhooks/hubspot, and the business router updates crm_links.
 */

const clientSecret = 'hubspot-links-test-secret';
const logger = createLogger('test');
logger.level = 'silent';

let t: TestDb;
let sandbox: Sandbox;
let server: Server;
let hubspot: HubSpotConnector;
let crm: Crm;

beforeAll(async () => {
  t = await openTestDb();
  const app = createApp({
    logger,
    webhooks: webhookRoutes(
      { hubspot: hubspotConfigSchema.parse({ accessToken: SANDBOX_HUBSPOT_TOKEN, clientSecret }) },
      {
        community: createEventRouter({
          db: t.db,
          temporal: createTemporalClient(inject('temporalAddress'), 'default'),
          taskQueue: 'unused',
          workflows: {},
          logger,
        }),
        business: createBusinessEventRouter({ db: t.db, logger }),
      },
      logger,
    ),
    checks: { store: storeCheck(t.db) },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => {
    server = app.listen(port, '127.0.0.1', () => resolve());
  });
  sandbox = await startSandbox({
    port: await freePort(),
    vendors: { hubspot: { accessToken: SANDBOX_HUBSPOT_TOKEN, clientSecret } },
    townhallUrl: `http://127.0.0.1:${port}`,
  });
  hubspot = createHubSpotConnector({ accessToken: SANDBOX_HUBSPOT_TOKEN, baseUrl: sandbox.url });
  crm = hubspotCrm(hubspot);
});
afterAll(async () => {
  server?.close();
  await sandbox?.stop();
  await t?.close();
});

const member = async (name: string) =>
  (
    await t.db
      .insertInto('members')
      .values({ email: `${name}@example.com`, name })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

/** Upserts the members as the sync does, and links each to its contact. */
async function synced(...memberIds: string[]): Promise<string[]> {
  const { upserted, failed } = await crm.upsertPeople(
    await Promise.all(
      memberIds.map(async (memberId) => {
        const row = await t.db
          .selectFrom('members')
          .select(['email', 'name'])
          .where('id', '=', memberId)
          .executeTakeFirstOrThrow();
        return {
          memberId,
          email: row.email ?? undefined,
          name: row.name ?? undefined,
          properties: {},
        };
      }),
    ),
  );
  expect(failed).toEqual([]);
  for (const { key, personId } of upserted) await linkPerson(t.db, key, 'hubspot', personId);
  return memberIds.map((id) => upserted.find((u) => u.key === id)!.personId);
}

const contactOf = async (memberId: string) =>
  (await linksOf(t.db, memberId)).find((link) => link.crm === 'hubspot')?.personId ?? null;

const recordedOf = async (type: string) =>
  (
    await t.db
      .selectFrom('received_events')
      .select(['payload', 'processed_at'])
      .where('type', '=', type)
      .execute()
  ).map((row): Record<string, unknown> => ({
    ...(row.payload as Record<string, unknown>),
    processed: row.processed_at !== null,
  }));

describe('CRM links follow HubSpot', () => {
  it('a deleted contact removes its link; the member stays', async () => {
    const ada = await member('ada');
    const [contact] = await synced(ada);
    expect(await contactOf(ada)).toBe(contact);

    await hubspot.archiveContacts([contact!]);
    await waitFor('the link to go', async () =>
      (await contactOf(ada)) === null ? true : undefined,
    );
    expect(await recordedOf('contact.deleted')).toEqual([
      expect.objectContaining({ system: 'hubspot', contactId: contact, processed: true }),
    ]);
    expect(await t.db.selectFrom('members').select('id').where('id', '=', ada).execute()).toEqual([
      { id: ada },
    ]);

    // The next sync makes the member a contact again, and links it.
    const [again] = await synced(ada);
    expect(again).not.toBe(contact);
    expect(await contactOf(ada)).toBe(again);
  });

  it('a merge re-points the link from the merged contact to the one that remains', async () => {
    const grace = await member('grace');
    const [merged] = await synced(grace);
    const { contactId: primary } = await hubspot.upsertContact({
      email: 'grace.hopper@example.com',
      properties: {},
    });

    const response = await fetch(`${sandbox.url}/_sandbox/hubspot/contacts/${primary}/merge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ objectIdToMerge: merged }),
    });
    expect(response.status).toBe(200);
    await waitFor('the link to move', async () =>
      (await contactOf(grace)) === primary ? true : undefined,
    );
    expect(await recordedOf('contact.merged')).toEqual([
      expect.objectContaining({
        system: 'hubspot',
        contactId: primary,
        mergedContactIds: [merged],
        processed: true,
      }),
    ]);

    // The member's next sync finds the merged contact by member id: no new one.
    const before = sandbox.emulators.hubspot.list().length;
    await crm.upsertPeople([{ memberId: grace, properties: {} }]);
    expect(sandbox.emulators.hubspot.list()).toHaveLength(before);
  });

  it('an email change in HubSpot is recorded and leaves the link as it is', async () => {
    const hedy = await member('hedy');
    const [contact] = await synced(hedy);
    await hubspot.updateContact({ id: contact!, properties: { email: 'hedy.l@example.com' } });
    const changed = await waitFor('the email change', async () => {
      const rows = (await recordedOf('contact.changed')).filter(
        (row) => row.contactId === contact && (row.properties as string[]).includes('email'),
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(changed).toEqual([expect.objectContaining({ properties: ['email'], processed: true })]);
    // Property names only: the new address is not stored.
    expect(JSON.stringify(changed)).not.toContain('hedy.l@');
    expect(await contactOf(hedy)).toBe(contact);
  });
});
