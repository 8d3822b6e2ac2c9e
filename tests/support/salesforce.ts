// The Salesforce connector (jsforce over a socket) and the sandbox's Salesforce emulator, for
// salesforce-*.test.ts: a sandbox per file (useSalesforceSandbox), reset before each test, the
// JWT key pair the emulator trusts, and what the emulator was asked.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { SalesforceConnector } from '../../connectors/salesforce/client.js';
import { createSalesforceConnector } from '../../connectors/salesforce/client.js';
import type { SalesforceConfigInput } from '../../connectors/salesforce/config.js';
import { salesforceCrm } from '../../connectors/salesforce/capabilities.js';
import type { CrmPerson } from '../../connectors/ports.js';
import type { SalesforceEmulatorOptions } from '../../sandbox/salesforce/index.js';
import { salesforceEmulator } from '../../sandbox/salesforce/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { freePort } from './ports.js';

export const CLIENT_ID = 'test-salesforce-client-id';
export const CLIENT_SECRET = 'test-salesforce-client-secret';
export const USERNAME = 'integration@townhall.test';

const pair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
/** The key whose certificate the sandbox org's connected app holds, and one it does not know. */
export const KEYS = pair();
export const OTHER_KEYS = pair();

export const emulators = { salesforce: salesforceEmulator };
export type SalesforceSandbox = Sandbox<typeof emulators>;

// Set by useSalesforceSandbox's beforeAll. Exported bindings are live: importers see the values.
export let sandbox: SalesforceSandbox;

/** A sandbox running the Salesforce emulator alone, trusting CLIENT_ID/SECRET and KEYS. */
export async function startSalesforceSandbox(
  options: Partial<SalesforceEmulatorOptions> = {},
): Promise<SalesforceSandbox> {
  return startSandbox({
    port: await freePort(),
    emulators,
    vendors: {
      salesforce: {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        username: USERNAME,
        publicKey: KEYS.publicKey,
        bulkProcessingMs: 20,
        ...options,
      },
    },
  });
}

/** For this file: one sandbox, reset before each test. */
export function useSalesforceSandbox(options: Partial<SalesforceEmulatorOptions> = {}) {
  beforeAll(async () => {
    sandbox = await startSalesforceSandbox(options);
  });
  beforeEach(async () => {
    await post('/_sandbox/reset', {});
  });
  afterAll(() => sandbox?.stop());
}

/** A connector signing in with the client credentials flow (or what `config` says instead). */
export const connector = (
  config: Partial<SalesforceConfigInput> = {},
  on: SalesforceSandbox = sandbox,
): SalesforceConnector =>
  createSalesforceConnector(
    {
      loginUrl: on.url,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      ...config,
    },
    { pollIntervalMs: 20 },
  );

/** The same through the JWT bearer flow. */
export const jwtConnector = (privateKey = KEYS.privateKey) =>
  createSalesforceConnector(
    { loginUrl: sandbox.url, clientId: CLIENT_ID, username: USERNAME, privateKey },
    { pollIntervalMs: 20 },
  );

export const crmOf = (client: SalesforceConnector = connector()) => salesforceCrm(client);

export const post = (path: string, body: unknown, on: SalesforceSandbox = sandbox) =>
  fetch(`${on.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A fault for the next `count` Salesforce calls (REST calls only, unless `path` says more). */
export const fault = (spec: Record<string, unknown>) =>
  post('/_sandbox/faults', { vendor: 'salesforce', path: '/services/data', ...spec });

/** The records the org holds, by external id (live ones). */
export function records(): Map<string, Record<string, unknown>> {
  return new Map(
    sandbox.emulators.salesforce
      .list()
      .filter((record) => record.IsDeleted === false)
      .map((record) => [String(record.Townhall_Member_Id__c), record as Record<string, unknown>]),
  );
}

export const requestsTo = (method: string, pattern: RegExp) =>
  sandbox.emulators.salesforce
    .requests()
    .filter((r) => r.method === method && pattern.test(r.path));

/** `count` members with ids m-<n>, emails and names. */
export const people = (count: number, from = 0, extra: Partial<CrmPerson> = {}): CrmPerson[] =>
  Array.from({ length: count }, (_, i) => ({
    memberId: `m-${from + i}`,
    email: `member${from + i}@example.com`,
    name: `Member ${from + i}`,
    properties: {
      community_platforms: i % 2 === 0 ? 'slack;discord' : 'discourse',
      community_activity_30d: String(i % 7),
    },
    ...extra,
  }));
