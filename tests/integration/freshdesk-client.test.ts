// The Freshdesk client against the sandbox's emulator over a real socket: idempotent creation
// (with the search index trailing writes, as Freshdesk's does), and how every failure is told.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FreshdeskConnector } from '../../connectors/freshdesk/client.js';
import { createFreshdeskConnector } from '../../connectors/freshdesk/client.js';
import type { FreshdeskConfig } from '../../connectors/freshdesk/config.js';
import { ConnectorError } from '../../connectors/errors.js';
import { FRESHDESK_SANDBOX_PATH } from '../../sandbox/freshdesk/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { freePort } from '../support/ports.js';

const KEY = 'freshdesk-client-test-key';
let sandbox: Sandbox;
let freshdesk: FreshdeskConnector;

const configFor = (overrides: Partial<FreshdeskConfig> = {}): FreshdeskConfig => ({
  baseUrl: `${sandbox.url}${FRESHDESK_SANDBOX_PATH}`,
  apiKey: KEY,
  webhookSecret: 'unused-here',
  externalIdField: 'cf_townhall_external_id',
  tags: ['community'],
  ...overrides,
});

async function fault(body: Record<string, unknown>) {
  const response = await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vendor: 'freshdesk', ...body }),
  });
  expect(response.status).toBe(201);
}

interface HeldTicket {
  id: number;
  tags: string[];
  description: string;
  custom_fields: Record<string, unknown>;
}
const held = async () =>
  (await (await fetch(`${sandbox.url}/_sandbox/freshdesk/tickets`)).json()) as HeldTicket[];

const input = (externalId: string, email = 'ada@example.com') => ({
  externalId,
  requester: { email, name: 'Ada' },
  subject: 'Reset mail never arrives',
  description: 'ada: <b>nothing</b> came\ngrace: same',
  tags: ['handoff'],
});

beforeAll(async () => {
  sandbox = await startSandbox({
    port: await freePort(),
    // A search index a minute behind: only the requester's ticket list sees a fresh ticket.
    vendors: { freshdesk: { apiKey: KEY, searchIndexDelayMs: 60_000 } },
  });
  freshdesk = createFreshdeskConnector(configFor());
});
beforeEach(() => fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' }));
afterAll(() => sandbox?.stop());

describe('the Freshdesk client', () => {
  it('creates one ticket per external id, escaped HTML, tags and the custom field set', async () => {
    const first = await freshdesk.createTicket(input('handoff:slack:C1:1.5'));
    const again = await freshdesk.createTicket(input('handoff:slack:C1:1.5'));
    expect([first.created, again.created]).toEqual([true, false]);
    expect(again.ticket.id).toBe(first.ticket.id);
    const [ticket] = await held();
    expect(ticket).toMatchObject({
      tags: ['community', 'handoff'],
      description: 'ada: &lt;b&gt;nothing&lt;/b&gt; came<br>grace: same',
      custom_fields: { cf_townhall_external_id: 'handoff:slack:C1:1.5' },
    });
    expect(freshdesk.rateLimit()).toEqual({ total: 700, remaining: expect.any(Number) });
    expect(freshdesk.portalUrl(first.ticket.id)).toBe(
      `${sandbox.url}${FRESHDESK_SANDBOX_PATH}/support/tickets/${first.ticket.id}`,
    );
  });

  it('makes no second ticket when the answer to the create was lost', async () => {
    await fault({ path: '/api/v2/search/tickets' });
    await fault({ path: '/api/v2/tickets?' });
    await fault({ path: '/api/v2/tickets', drop: true });
    const lost = await freshdesk.createTicket(input('handoff:discord:9')).catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: 'unavailable', retryable: true });
    expect(await held()).toHaveLength(1);
    const retried = await freshdesk.createTicket(input('handoff:discord:9'));
    expect(retried.created).toBe(false);
    expect(await held()).toHaveLength(1);
  });

  it('turns a 429 into rate_limited with the Retry-After wait', async () => {
    await fault({ status: 429, retryAfterSeconds: 7 });
    const limited = await freshdesk.getTicket(1).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(ConnectorError);
    expect(limited).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 7_000 });
    // Freshdesk always says when: without a fault's value the emulator sends the window's end.
    await fault({ status: 429 });
    const again = (await freshdesk.getTicket(1).catch((e: unknown) => e)) as ConnectorError;
    expect(again.retryAfterMs).toBeGreaterThan(0);
  });

  it('names the refused field of a validation error, and never the member’s address', async () => {
    const bad = await freshdesk
      .createTicket(input('handoff:x:1', 'not-an-address@'))
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'invalid', retryable: false, status: 400 });
    expect((bad as Error).message).toContain('email invalid_value');

    const wrongField = createFreshdeskConnector(configFor({ externalIdField: 'cf_missing' }));
    const unknown = await wrongField.createTicket(input('handoff:x:2')).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'invalid' });
    expect((unknown as Error).message).toContain('missing invalid_field');

    // 422 is not in Freshdesk's table, but a proxy may answer it: still invalid, not retried.
    await fault({ status: 422 });
    expect(await freshdesk.getTicket(1).catch((e: unknown) => e)).toMatchObject({
      code: 'invalid',
      retryable: false,
    });
  });

  it('tells refused credentials, conflicts, outages and lost connections apart', async () => {
    const stranger = createFreshdeskConnector(configFor({ apiKey: 'wrong-key' }));
    const denied = await stranger.getTicket(1).catch((e: unknown) => e);
    expect(denied).toMatchObject({ code: 'auth', retryable: false, status: 401 });
    expect((denied as Error).message).not.toContain('wrong-key');

    await fault({ status: 409 });
    expect(await freshdesk.getTicket(1).catch((e: unknown) => e)).toMatchObject({
      code: 'conflict',
      retryable: false,
    });

    await fault({ status: 503 });
    expect(await freshdesk.getTicket(1).catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
    await fault({ drop: true });
    expect(await freshdesk.getTicket(1).catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
  });
});
