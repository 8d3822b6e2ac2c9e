// The Discourse connector against the sandbox's forum emulator, for discourse-client-*.test.ts:
// a sandbox per file (useDiscourseEmulator), reset before each test, and what the forum holds.
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { DiscourseConnector } from '../../connectors/discourse/client.js';
import { createDiscourseConnector } from '../../connectors/discourse/client.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { freePort } from './ports.js';

export const API_KEY = 'test-discourse-key';

// Set by useDiscourseEmulator's beforeAll. Exported bindings are live: importers see the values.
export let sandbox: Sandbox;
export let discourse: DiscourseConnector;

export const connector = (overrides: { apiKey?: string; baseUrl?: string } = {}) =>
  createDiscourseConnector({
    baseUrl: sandbox.url,
    apiKey: API_KEY,
    apiUsername: 'system',
    webhookSecret: 'unused-here',
    ...overrides,
  });

export async function api(method: string, path: string, body?: unknown, key = API_KEY) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { 'Api-Key': key, 'Api-Username': 'system', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export const inspect = async <T>(what: 'messages' | 'members') =>
  (await (await fetch(`${sandbox.url}/_sandbox/discourse/${what}`)).json()) as T[];

export async function addUser(username: string) {
  const created = await api('POST', '/users.json', {
    name: username,
    email: `${username}@example.com`,
    password: 'correct horse battery staple',
    username,
  });
  expect(created.body).toMatchObject({ success: true });
}

export async function fault(body: Record<string, unknown>) {
  const response = await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vendor: 'discourse', ...body }),
  });
  expect(response.status).toBe(201);
}

/** For this file: a sandbox whose Discourse accepts API_KEY, reset before each test. */
export function useDiscourseEmulator() {
  beforeAll(async () => {
    sandbox = await startSandbox({
      port: await freePort(),
      vendors: { discourse: { apiKey: API_KEY } },
    });
    discourse = connector();
  });
  beforeEach(async () => {
    await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
  });
  afterAll(() => sandbox?.stop());
}
