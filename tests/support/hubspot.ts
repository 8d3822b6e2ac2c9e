// The HubSpot connector and the sandbox's CRM emulator, for hubspot-connector-*.test.ts and
// hubspot-shapes-*.test.ts: a sandbox per file (useHubSpotSandbox), reset before each test, what
// the emulator was asked, and the shapes HubSpot answers with.
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { ContactUpsert, HubSpotConnector } from '../../connectors/hubspot/client.js';
import { createHubSpotConnector } from '../../connectors/hubspot/client.js';
import { DEFAULT_COMMUNITY_PROPERTIES } from '../../connectors/hubspot/config.js';
import type { Sandbox } from '../../sandbox/index.js';
import { SANDBOX_HUBSPOT_TOKEN, startTestSandbox } from './sandbox.js';

// Set by useHubSpotSandbox's beforeAll. Exported bindings are live: importers see the values.
export let sandbox: Sandbox;
export let hubspot: HubSpotConnector;

/** An ops-configured extra next to townhall's fixed community properties: an enumeration. */
export const CHURN_RISK = {
  name: 'community_churn_risk',
  label: 'Community churn risk',
  type: 'enumeration' as const,
  fieldType: 'select' as const,
  options: ['low', 'medium', 'high'].map((value) => ({ label: value, value })),
};

export const connector = (accessToken = SANDBOX_HUBSPOT_TOKEN) =>
  createHubSpotConnector({ accessToken, baseUrl: sandbox.url, properties: [CHURN_RISK] });
export const post = (path: string, body: unknown) =>
  fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
export const requestsTo = (method: string, path: string) =>
  sandbox.emulators.hubspot.requests().filter((r) => r.method === method && r.path === path);
export const PROPERTY_NAMES = [...DEFAULT_COMMUNITY_PROPERTIES.map((p) => p.name), CHURN_RISK.name];

/** `count` members, some with community properties (needs ensureCommunityProperties first). */
export const members = (count: number, from = 0): ContactUpsert[] =>
  Array.from({ length: count }, (_, i) => ({
    email: `member${from + i}@example.com`,
    properties: {
      firstname: `Member ${from + i}`,
      community_churn_risk: i % 2 === 0 ? 'low' : 'high',
      ...(i % 3 === 0 ? { community_first_seen: '2026-11-01T10:00:00Z' } : {}),
    },
  }));

/** A raw CRM call with a token, as any client would make it. */
export const api = (method: string, path: string, body?: unknown, token = SANDBOX_HUBSPOT_TOKEN) =>
  fetch(`${sandbox.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
export const lastRequest = (path: string) =>
  sandbox.emulators.hubspot
    .requests()
    .filter((r) => r.path === path)
    .at(-1);

export const ERROR_BODY = {
  status: 'error',
  message: expect.any(String),
  correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
  category: expect.any(String),
};
export const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

/** For this file: a sandbox whose HubSpot accepts SANDBOX_HUBSPOT_TOKEN, reset before each test. */
export function useHubSpotSandbox() {
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    hubspot = connector();
  });
  beforeEach(async () => {
    await post('/_sandbox/reset', {});
  });
  afterAll(() => sandbox?.stop());
}
