import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import { createHubSpotConnector } from '../../connectors/hubspot/client.js';
import type { Sandbox } from '../../sandbox/index.js';
import { SANDBOX_HUBSPOT_TOKEN, startTestSandbox } from '../support/sandbox.js';

let sandbox: Sandbox;
let hubspot: Client;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  hubspot = new Client({
    accessToken: SANDBOX_HUBSPOT_TOKEN,
    basePath: sandbox.url,
    numberOfApiCallRetries: 0,
  });
});
beforeEach(async () => {
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
});
afterAll(() => sandbox?.stop());

const statusOf = (error: unknown) => (error as { code?: number }).code;

describe('HubSpot sandbox, through @hubspot/api-client', () => {
  it('creates a contact, reads it by email, and refuses a second one with the same email (409)', async () => {
    const created = await hubspot.crm.contacts.basicApi.create({
      properties: { email: 'grace@example.com', firstname: 'Grace' },
      associations: [],
    });
    expect(created.id).toMatch(/^\d+$/);
    expect(created.createdAt).toBeInstanceOf(Date);

    const read = await hubspot.crm.contacts.basicApi.getById(
      'grace@example.com',
      undefined,
      undefined,
      undefined,
      false,
      'email',
    );
    expect(read.id).toBe(created.id);
    expect(read.properties).toMatchObject({ email: 'grace@example.com', firstname: 'Grace' });

    const duplicate = await hubspot.crm.contacts.basicApi
      .create({ properties: { email: 'grace@example.com' }, associations: [] })
      .catch((error: unknown) => error);
    expect(statusOf(duplicate)).toBe(409);
  });

  it('answers 404 for an unknown email', async () => {
    const missing = await hubspot.crm.contacts.basicApi
      .getById('nobody@example.com', undefined, undefined, undefined, false, 'email')
      .catch((error: unknown) => error);
    expect(statusOf(missing)).toBe(404);
  });

  it('answers 401 with HubSpot’s error body without a bearer token', async () => {
    const response = await fetch(`${sandbox.url}/crm/v3/objects/contacts/1`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      status: 'error',
      message: expect.any(String),
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      category: 'INVALID_AUTHENTICATION',
    });
  });

  it('inspection lists contacts and reset empties the sandbox', async () => {
    await hubspot.crm.contacts.basicApi.create({
      properties: { email: 'a@example.com' },
      associations: [],
    });
    const listed = (await (
      await fetch(`${sandbox.url}/_sandbox/hubspot/contacts`)
    ).json()) as unknown[];
    expect(listed).toHaveLength(1);
    await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
    expect(await (await fetch(`${sandbox.url}/_sandbox/hubspot/contacts`)).json()).toEqual([]);
  });
});

describe('HubSpot connector', () => {
  it('upserts by email: created once, then updated in place', async () => {
    const connector = createHubSpotConnector({
      accessToken: SANDBOX_HUBSPOT_TOKEN,
      baseUrl: sandbox.url,
    });
    const first = await connector.upsertContact({
      email: 'ada@example.com',
      properties: { firstname: 'Ada' },
    });
    const second = await connector.upsertContact({
      email: 'ada@example.com',
      properties: { lastname: 'Lovelace' },
    });
    expect(first.created).toBe(true);
    expect(second).toEqual({ contactId: first.contactId, created: false });
    expect(sandbox.emulators.hubspot.list()).toHaveLength(1);
    expect(sandbox.emulators.hubspot.list()[0]?.properties).toMatchObject({
      firstname: 'Ada',
      lastname: 'Lovelace',
    });
  });

  it('turns a rejected token into a non-retryable auth error that names the setting to check', async () => {
    const connector = createHubSpotConnector({ accessToken: 'wrong-token', baseUrl: sandbox.url });
    const error = await connector
      .upsertContact({ email: 'x@example.com', properties: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'auth', retryable: false, status: 401 });
    expect((error as ConnectorError).message).toContain('connectors.hubspot.accessToken');
  });

  it('turns a 429 into rate_limited carrying the advertised wait, then succeeds once it passes', async () => {
    const fault = await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'hubspot', status: 429, count: 2, retryAfterSeconds: 3 }),
    });
    expect(fault.status).toBe(201);
    const connector = createHubSpotConnector({
      accessToken: SANDBOX_HUBSPOT_TOKEN,
      baseUrl: sandbox.url,
    });
    const upsert = () => connector.upsertContact({ email: 'busy@example.com', properties: {} });
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await upsert().catch((e: unknown) => e)).toMatchObject({
        code: 'rate_limited',
        retryable: true,
        retryAfterMs: 3_000,
      });
    }
    expect(await upsert()).toMatchObject({ created: true });
    expect(sandbox.emulators.hubspot.list()).toHaveLength(1);
  });

  it('reports an unreachable HubSpot as unavailable (retryable)', async () => {
    const connector = createHubSpotConnector({
      accessToken: SANDBOX_HUBSPOT_TOKEN,
      baseUrl: 'http://127.0.0.1:9',
    });
    const error = await connector
      .upsertContact({ email: 'x@example.com', properties: {} })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', retryable: true });
  });
});
