// The Zendesk connector against the sandbox's Support API emulator, for zendesk-client-*.test.ts:
// two sandboxes per file (useZendeskSandbox), one of them forgetting Idempotency-Keys at once,
// both reset before each test, what the emulator holds, and raw API calls.
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { ZendeskConnector } from '../../connectors/zendesk/client.js';
import { createZendeskConnector } from '../../connectors/zendesk/client.js';
import type { ZendeskConfig } from '../../connectors/zendesk/config.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { freePort } from './ports.js';

export const EMAIL = 'townhall@example.zendesk.test';
export const TOKEN = 'test-zendesk-api-token';

// Set by useZendeskSandbox's beforeAll. Exported bindings are live: importers see the values.
export let sandbox: Sandbox;
/** A second account whose Idempotency-Keys lapse at once (as after Zendesk's two hours). */
export let forgetful: Sandbox;
export let zendesk: ZendeskConnector;

export const configFor = (
  target: Sandbox,
  overrides: Partial<ZendeskConfig> = {},
): ZendeskConfig => ({
  baseUrl: target.url,
  email: EMAIL,
  apiToken: TOKEN,
  webhookSecret: 'unused-here',
  ticketDefaults: { tags: ['community'] },
  ...overrides,
});

interface SandboxTicket {
  id: number;
  subject: string;
  external_id: string | null;
  status: string;
  tags: string[];
  priority: string | null;
  requester_id: number;
  deleted: boolean;
  comments: { body: string; html_body: string; public: boolean; author_id: number }[];
}
export const tickets = async (target = sandbox) =>
  (await (await fetch(`${target.url}/_sandbox/zendesk/tickets`)).json()) as SandboxTicket[];

export async function fault(body: Record<string, unknown>, target = sandbox) {
  const response = await fetch(`${target.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vendor: 'zendesk', ...body }),
  });
  expect(response.status).toBe(201);
}

export const auth = (token = TOKEN) =>
  `Basic ${Buffer.from(`${EMAIL}/token:${token}`).toString('base64')}`;

/** A request as any HTTP client would send it, for pinning Zendesk's documented shapes. */
export async function api(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${sandbox.url}/api/v2${path}`, {
    method,
    headers: { authorization: auth(), 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
  };
}

export const ticketInput = (externalId: string) => ({
  externalId,
  requester: { email: 'ada@example.com', name: 'Ada Lovelace' },
  subject: 'Password reset email never arrives',
  comment: { body: 'Posted in #help by ada:\n\nI asked for a reset twice.' },
  tags: ['discourse'],
  priority: 'high' as const,
});

/**
 * For this file: a sandbox whose Zendesk accepts EMAIL and TOKEN, and the forgetful one beside
 * it, both reset before each test.
 */
export function useZendeskSandbox() {
  beforeAll(async () => {
    const zendeskOptions = { email: EMAIL, apiToken: TOKEN };
    sandbox = await startSandbox({ port: await freePort(), vendors: { zendesk: zendeskOptions } });
    forgetful = await startSandbox({
      port: await freePort(),
      vendors: { zendesk: { ...zendeskOptions, idempotencyTtlMs: 0 } },
    });
    zendesk = createZendeskConnector(configFor(sandbox));
  });
  beforeEach(async () => {
    await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
    await fetch(`${forgetful.url}/_sandbox/reset`, { method: 'POST' });
  });
  afterAll(async () => {
    await sandbox?.stop();
    await forgetful?.stop();
  });
}
