import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import type { ZendeskConnector } from '../../connectors/zendesk/client.js';
import { createZendeskConnector } from '../../connectors/zendesk/client.js';
import type { ZendeskConfig } from '../../connectors/zendesk/config.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { freePort } from '../support/ports.js';

const EMAIL = 'townhall@example.zendesk.test';
const TOKEN = 'test-zendesk-api-token';
let sandbox: Sandbox;
/** A second account whose Idempotency-Keys lapse at once (as after Zendesk's two hours). */
let forgetful: Sandbox;
let zendesk: ZendeskConnector;

const configFor = (target: Sandbox, overrides: Partial<ZendeskConfig> = {}): ZendeskConfig => ({
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
const tickets = async (target = sandbox) =>
  (await (await fetch(`${target.url}/_sandbox/zendesk/tickets`)).json()) as SandboxTicket[];

async function fault(body: Record<string, unknown>, target = sandbox) {
  const response = await fetch(`${target.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vendor: 'zendesk', ...body }),
  });
  expect(response.status).toBe(201);
}

const auth = (token = TOKEN) =>
  `Basic ${Buffer.from(`${EMAIL}/token:${token}`).toString('base64')}`;

/** A request as any HTTP client would send it, for pinning Zendesk's documented shapes. */
async function api(
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

const ticketInput = (externalId: string) => ({
  externalId,
  requester: { email: 'ada@example.com', name: 'Ada Lovelace' },
  subject: 'Password reset email never arrives',
  comment: { body: 'Posted in #help by ada:\n\nI asked for a reset twice.' },
  tags: ['discourse'],
  priority: 'high' as const,
});

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

describe('Zendesk connector (node-zendesk) against the emulator', () => {
  it('creates or updates a user by email, and by external id', async () => {
    const first = await zendesk.upsertUser({ name: 'Ada', email: 'Ada@Example.com' });
    expect(first).toMatchObject({
      created: true,
      user: { name: 'Ada', email: 'ada@example.com', role: 'end-user', externalId: null },
    });
    const again = await zendesk.upsertUser({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      externalId: 'member-1',
    });
    expect(again).toEqual({
      created: false,
      user: { ...first.user, name: 'Ada Lovelace', externalId: 'member-1' },
    });
    const byExternalId = await zendesk.upsertUser({ name: 'Ada L.', externalId: 'member-1' });
    expect(byExternalId).toMatchObject({ created: false, user: { id: first.user.id } });
    const other = await zendesk.upsertUser({ name: 'Grace', externalId: 'member-2' });
    expect(other.created).toBe(true);
    expect(other.user.id).not.toBe(first.user.id);

    expect(await zendesk.upsertUser({ name: 'Nobody' }).catch((e: unknown) => e)).toMatchObject({
      code: 'invalid',
      retryable: false,
    });
  });

  it('creates a ticket with requester, subject, comment, tags and priority; a repeat finds it', async () => {
    const created = await zendesk.createTicket(ticketInput('handoff:discourse:77'));
    expect(created).toMatchObject({
      created: true,
      ticket: {
        externalId: 'handoff:discourse:77',
        subject: 'Password reset email never arrives',
        status: 'new',
        priority: 'high',
        tags: ['community', 'discourse'],
      },
    });
    const repeat = await zendesk.createTicket(ticketInput('handoff:discourse:77'));
    expect(repeat).toEqual({ created: false, ticket: created.ticket });

    const [stored, ...more] = await tickets();
    expect(more).toEqual([]);
    const users = (await (await fetch(`${sandbox.url}/_sandbox/zendesk/users`)).json()) as {
      id: number;
      email: string;
      name: string;
    }[];
    const requester = users.find((u) => u.email === 'ada@example.com');
    expect(requester).toMatchObject({ name: 'Ada Lovelace' });
    expect(stored).toMatchObject({
      requester_id: requester!.id,
      comments: [
        {
          body: 'Posted in #help by ada:\n\nI asked for a reset twice.',
          html_body:
            '<div class="zd-comment" dir="auto"><p dir="auto">Posted in #help by ada:</p><p dir="auto">I asked for a reset twice.</p></div>',
          public: true,
        },
      ],
    });
  });

  it('creates a ticket from HTML, for an existing requester, with the default tags only', async () => {
    const { user } = await zendesk.upsertUser({ name: 'Grace', email: 'grace@example.com' });
    const { ticket } = await zendesk.createTicket({
      externalId: 'handoff:slack:C1:1700000000.1',
      requester: { id: user.id },
      subject: 'Export fails',
      comment: { html: '<p>The <b>CSV export</b> fails &amp; times out.</p>' },
    });
    expect(ticket).toMatchObject({ requesterId: user.id, tags: ['community'], priority: null });
    const [stored] = await tickets();
    expect(stored?.comments[0]).toMatchObject({
      body: 'The CSV export fails & times out.',
      html_body:
        '<div class="zd-comment" dir="auto"><p>The <b>CSV export</b> fails &amp; times out.</p></div>',
    });
  });

  it('finds a ticket by external id, and answers undefined for none', async () => {
    const { ticket } = await zendesk.createTicket(ticketInput('handoff:discourse:1'));
    await zendesk.createTicket(ticketInput('handoff:discourse:2'));
    expect(await zendesk.findTicketByExternalId('handoff:discourse:1')).toEqual(ticket);
    expect(await zendesk.findTicketByExternalId('handoff:discourse:3')).toBeUndefined();
  });

  it('adds public and internal comments, updates the status, and lists the comments', async () => {
    const { ticket } = await zendesk.createTicket(ticketInput('handoff:discourse:5'));
    await zendesk.addComment({
      ticketId: ticket.id,
      comment: { body: 'Linked from the forum thread.' },
      public: false,
    });
    await zendesk.addComment({
      ticketId: ticket.id,
      comment: { html: '<p>We are on it.</p>' },
      public: true,
    });
    expect(await zendesk.updateStatus({ ticketId: ticket.id, status: 'pending' })).toMatchObject({
      id: ticket.id,
      status: 'pending',
    });
    const comments = await zendesk.listComments(ticket.id);
    expect(comments.map(({ body, public: isPublic }) => ({ body, public: isPublic }))).toEqual([
      { body: 'Posted in #help by ada:\n\nI asked for a reset twice.', public: true },
      { body: 'Linked from the forum thread.', public: false },
      { body: 'We are on it.', public: true },
    ]);
    expect(comments[2]?.htmlBody).toBe(
      '<div class="zd-comment" dir="auto"><p>We are on it.</p></div>',
    );

    await zendesk.updateStatus({ ticketId: ticket.id, status: 'closed' });
    const closed = await zendesk
      .addComment({ ticketId: ticket.id, comment: { body: 'too late' }, public: true })
      .catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(ConnectorError);
    expect(closed).toMatchObject({ code: 'invalid', status: 422, retryable: false });
    expect((closed as Error).message).toContain('Status closed prevents ticket update');
  });

  it('reports Zendesk’s validation errors (422) and unknown tickets (404), not retryable', async () => {
    const invalid = await zendesk
      .createTicket({ ...ticketInput('handoff:x'), subject: ' ' })
      .catch((e: unknown) => e);
    expect(invalid).toMatchObject({ code: 'invalid', status: 422, retryable: false });
    expect((invalid as Error).message).toBe(
      'Zendesk ticket creation failed: HTTP 422 RecordInvalid (Record validation errors): base BlankValue "Subject: cannot be blank"',
    );
    const missing = await zendesk
      .updateStatus({ ticketId: 424242, status: 'open' })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'not_found', status: 404, retryable: false });
    expect((missing as Error).message).toContain('RecordNotFound');
    expect(await tickets()).toEqual([]);
  });

  it('turns a 401 into a non-retryable auth error that names the credentials, not the secret', async () => {
    const wrong = createZendeskConnector(configFor(sandbox, { apiToken: 'not-the-token-42' }));
    const error = await wrong.findTicketByExternalId('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'auth', status: 401, retryable: false, vendor: 'zendesk' });
    expect((error as Error).message).toContain('connectors.zendesk.email');
    expect((error as Error).message).toContain('connectors.zendesk.apiToken');
    expect((error as Error).message).not.toContain('not-the-token-42');
  });

  it('turns 429s into rate_limited with the advertised wait, 5xx and no answer into unavailable', async () => {
    await fault({ status: 429, count: 2, retryAfterSeconds: 3 });
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await zendesk.findTicketByExternalId('x').catch((e: unknown) => e)).toMatchObject({
        code: 'rate_limited',
        status: 429,
        retryable: true,
        retryAfterMs: 3_000,
      });
    }
    expect(await zendesk.findTicketByExternalId('x')).toBeUndefined();

    await fault({ status: 503, retryAfterSeconds: 10 });
    expect(await zendesk.findTicketByExternalId('x').catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      status: 503,
      retryable: true,
      retryAfterMs: 10_000,
    });
    await fault({ status: 502 });
    expect(await zendesk.findTicketByExternalId('x').catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      status: 502,
    });
    const down = createZendeskConnector({
      ...configFor(sandbox),
      baseUrl: `http://127.0.0.1:${await freePort()}`,
    });
    expect(await down.findTicketByExternalId('x').catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
  });
});

describe('one ticket per external id, however the create is retried', () => {
  it('a retry after a lost response finds the ticket the first attempt made', async () => {
    // On the account whose Idempotency-Keys lapse at once, only the lookup protects the retry
    // (hours later, as after a long outage). The create's first request (the lookup) passes; the
    // POST takes effect, then the connection closes before the answer.
    const later = createZendeskConnector(configFor(forgetful));
    await fault({ delayMs: 1 }, forgetful);
    await fault({ drop: true }, forgetful);
    const lost = await later.createTicket(ticketInput('handoff:lost')).catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: 'unavailable', retryable: true });
    expect(await tickets(forgetful)).toHaveLength(1);

    const retry = await later.createTicket(ticketInput('handoff:lost'));
    expect(retry.created).toBe(false);
    const all = await tickets(forgetful);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      id: retry.ticket.id,
      external_id: 'handoff:lost',
      deleted: false,
    });
  });

  it('a retry while the first attempt is still in flight gets the same ticket (Idempotency-Key)', async () => {
    // The first attempt's POST is held past its timeout, so the lookup of the retry cannot
    // see a ticket yet; Zendesk's Idempotency-Key makes the late POST return the retry's ticket.
    const impatient = createZendeskConnector(configFor(sandbox), { timeoutMs: 300 });
    await fault({ delayMs: 1 });
    await fault({ delayMs: 800 });
    const timedOut = await impatient
      .createTicket(ticketInput('handoff:slow'))
      .catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ code: 'unavailable' });
    const retry = await impatient.createTicket(ticketInput('handoff:slow'));
    expect(retry.created).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const all = await tickets();
    expect(all.map((t) => ({ id: t.id, deleted: t.deleted }))).toEqual([
      { id: retry.ticket.id, deleted: false },
    ]);
  });

  it('concurrent attempts get one ticket from Zendesk’s Idempotency-Key', async () => {
    const results = await Promise.all([
      zendesk.createTicket(ticketInput('handoff:race')),
      zendesk.createTicket(ticketInput('handoff:race')),
    ]);
    expect(results[0].ticket.id).toBe(results[1].ticket.id);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect((await tickets()).map((t) => t.deleted)).toEqual([false]);
  });

  it('concurrent attempts without a live key agree on the lowest id and delete the other ticket', async () => {
    const other = createZendeskConnector(configFor(forgetful));
    const results = await Promise.all([
      other.createTicket(ticketInput('handoff:race')),
      other.createTicket(ticketInput('handoff:race')),
    ]);
    const all = await tickets(forgetful);
    // Both attempts got past the lookup and created a ticket: the race this layer closes.
    expect(all.map((t) => ({ id: t.id, deleted: t.deleted }))).toEqual([
      { id: all[0]!.id, deleted: false },
      { id: all[0]!.id + 1, deleted: true },
    ]);
    expect(results.map((r) => r.ticket.id)).toEqual([all[0]!.id, all[0]!.id]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(await other.findTicketByExternalId('handoff:race')).toMatchObject({ id: all[0]!.id });
  });
});

describe('Zendesk emulator fidelity (shapes from the Support API reference)', () => {
  it('receives the connector’s requests in the documented shapes', async () => {
    await zendesk.upsertUser({ name: 'Ada Lovelace', email: 'ada@example.com' });
    const { ticket } = await zendesk.createTicket(ticketInput('handoff:shape'));
    await zendesk.addComment({ ticketId: ticket.id, comment: { body: 'Note' }, public: false });
    await zendesk.updateStatus({ ticketId: ticket.id, status: 'solved' });
    await zendesk.listComments(ticket.id);
    const requests = (await (await fetch(`${sandbox.url}/_sandbox/zendesk/requests`)).json()) as {
      method: string;
      url: string;
      idempotencyKey: string | null;
      body: unknown;
    }[];
    const lookup = `/api/v2/tickets.json?external_id=handoff%3Ashape&page%5Bsize%5D=100`;
    expect(requests).toEqual([
      {
        method: 'POST',
        url: '/api/v2/users/create_or_update.json',
        idempotencyKey: null,
        body: { user: { name: 'Ada Lovelace', email: 'ada@example.com' } },
      },
      { method: 'GET', url: lookup, idempotencyKey: null, body: null },
      {
        method: 'POST',
        url: '/api/v2/tickets.json',
        idempotencyKey: expect.stringMatching(/^townhall-ticket-[0-9a-f]{64}$/),
        body: {
          ticket: {
            subject: 'Password reset email never arrives',
            comment: {
              body: 'Posted in #help by ada:\n\nI asked for a reset twice.',
              public: true,
            },
            external_id: 'handoff:shape',
            requester: { email: 'ada@example.com', name: 'Ada Lovelace' },
            tags: ['community', 'discourse'],
            priority: 'high',
          },
        },
      },
      { method: 'GET', url: lookup, idempotencyKey: null, body: null },
      {
        method: 'PUT',
        url: `/api/v2/tickets/${ticket.id}.json`,
        idempotencyKey: null,
        body: { ticket: { comment: { body: 'Note', public: false } } },
      },
      {
        method: 'PUT',
        url: `/api/v2/tickets/${ticket.id}.json`,
        idempotencyKey: null,
        body: { ticket: { status: 'solved' } },
      },
      {
        method: 'GET',
        url: `/api/v2/tickets/${ticket.id}/comments.json`,
        idempotencyKey: null,
        body: null,
      },
    ]);
  });

  it('answers bad credentials with 401 {"error":"Couldn\'t authenticate you"}', async () => {
    const response = await api('GET', '/tickets.json', undefined, { authorization: auth('nope') });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: "Couldn't authenticate you" });
    const password = await api('GET', '/tickets.json', undefined, {
      authorization: `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`,
    });
    expect(password.status).toBe(401);
  });

  it('creates a ticket: 201, Location, { ticket, audit }; the Idempotency-Key replays it', async () => {
    const body = {
      ticket: {
        subject: 'My printer is on fire!',
        comment: { body: 'The smoke is very colorful.' },
        requester: { name: 'The Customer', email: 'thecustomer@example.com' },
        external_id: 'ext-1',
        priority: 'urgent',
        tags: ['Enterprise'],
      },
    };
    const created = await api('POST', '/tickets.json', body, { 'Idempotency-Key': 'k-1' });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-idempotency-lookup')).toBe('miss');
    const ticket = created.body.ticket as Record<string, unknown>;
    expect(created.headers.get('location')).toBe(
      `${sandbox.url}/api/v2/tickets/${String(ticket.id)}.json`,
    );
    expect(ticket).toMatchObject({
      url: `${sandbox.url}/api/v2/tickets/${String(ticket.id)}.json`,
      id: expect.any(Number),
      external_id: 'ext-1',
      via: { channel: 'api' },
      subject: 'My printer is on fire!',
      raw_subject: 'My printer is on fire!',
      description: 'The smoke is very colorful.',
      priority: 'urgent',
      status: 'new',
      requester_id: expect.any(Number),
      submitter_id: expect.any(Number),
      assignee_id: null,
      tags: ['enterprise'],
      is_public: true,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(created.body.audit).toMatchObject({
      ticket_id: ticket.id,
      events: expect.arrayContaining([
        expect.objectContaining({
          type: 'Comment',
          body: 'The smoke is very colorful.',
          public: true,
        }),
        expect.objectContaining({ type: 'Create', field_name: 'status', value: 'new' }),
      ]),
    });

    const replay = await api('POST', '/tickets.json', body, { 'Idempotency-Key': 'k-1' });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('x-idempotency-lookup')).toBe('hit');
    expect(replay.body).toEqual(created.body);
    const changed = await api(
      'POST',
      '/tickets.json',
      { ticket: { ...body.ticket, subject: 'Another' } },
      { 'Idempotency-Key': 'k-1' },
    );
    expect(changed.status).toBe(400);
    expect(await tickets()).toHaveLength(1);
  });

  it('rejects a ticket without a comment with RecordInvalid (422) and its details', async () => {
    const response = await api('POST', '/tickets.json', { ticket: { subject: 'No description' } });
    expect(response).toMatchObject({
      status: 422,
      body: {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: {
          base: [{ description: 'Description: cannot be blank', error: 'BlankValue' }],
        },
      },
    });
  });

  it('answers an unknown ticket with 404 RecordNotFound and an unknown path with InvalidEndpoint', async () => {
    expect(await api('GET', '/tickets/999.json')).toMatchObject({
      status: 404,
      body: { error: 'RecordNotFound', description: 'Not found' },
    });
    expect((await api('GET', '/nothing-here.json')).status).toBe(404);
  });

  it('lists by external_id and searches `type:ticket external_id:`, deleted tickets excluded', async () => {
    const a = await zendesk.createTicket(ticketInput('ext-a'));
    await zendesk.createTicket(ticketInput('ext-b'));
    expect(await api('GET', '/tickets.json?external_id=ext-a')).toMatchObject({
      status: 200,
      body: { tickets: [{ id: a.ticket.id, external_id: 'ext-a' }], count: 1, next_page: null },
    });
    const search = await api(
      'GET',
      `/search.json?query=${encodeURIComponent('type:ticket external_id:ext-a')}`,
    );
    expect(search.body).toMatchObject({
      results: [{ id: a.ticket.id, result_type: 'ticket' }],
      count: 1,
      facets: null,
      next_page: null,
      previous_page: null,
    });
    expect((await api('DELETE', `/tickets/${a.ticket.id}.json`)).status).toBe(204);
    expect((await api('GET', '/tickets.json?external_id=ext-a')).body.tickets).toEqual([]);
    expect((await api('GET', `/tickets/${a.ticket.id}.json`)).status).toBe(404);
  });

  it('lists comments in the documented shape', async () => {
    const { ticket } = await zendesk.createTicket(ticketInput('ext-c'));
    const { body } = await api('GET', `/tickets/${ticket.id}/comments.json`);
    expect(body).toEqual({
      comments: [
        {
          id: expect.any(Number),
          type: 'Comment',
          author_id: expect.any(Number),
          body: 'Posted in #help by ada:\n\nI asked for a reset twice.',
          html_body: expect.stringContaining('<p dir="auto">I asked for a reset twice.</p>'),
          plain_body: 'Posted in #help by ada:\n\nI asked for a reset twice.',
          public: true,
          attachments: [],
          audit_id: expect.any(Number),
          via: { channel: 'api', source: { from: {}, to: {}, rel: null } },
          created_at: expect.any(String),
          metadata: { system: {}, custom: {} },
        },
      ],
      next_page: null,
      previous_page: null,
      count: 1,
    });
  });

  it('answers create_or_update with 201 for a new user and 200 for an existing one', async () => {
    const created = await api('POST', '/users/create_or_update.json', {
      user: { name: 'Roger Wilco', email: 'roge@example.org' },
    });
    expect(created).toMatchObject({
      status: 201,
      body: { user: { name: 'Roger Wilco', email: 'roge@example.org', role: 'end-user' } },
    });
    const updated = await api('POST', '/users/create_or_update.json', {
      user: { name: 'Roger Wilco II', email: 'roge@example.org' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.user).toMatchObject({
      id: (created.body.user as { id: number }).id,
      name: 'Roger Wilco II',
    });
    const search = await api('GET', '/users/search.json?query=roge%40example.org');
    expect(search.body).toMatchObject({ users: [{ email: 'roge@example.org' }], count: 1 });
  });

  it('sends Retry-After with a 429, and Zendesk faults touch no other vendor', async () => {
    await fault({ status: 429, retryAfterSeconds: 7 });
    const limited = await api('GET', '/tickets.json');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body).toMatchObject({ error: 'APIRateLimitExceeded' });
    expect((await api('GET', '/tickets.json')).headers.get('x-rate-limit')).toBe('700');

    await fault({ status: 503 });
    expect((await fetch(`${sandbox.url}/crm/v3/objects/contacts/1`)).status).toBe(401);
    expect((await api('GET', '/tickets.json')).status).toBe(503);
  });
});
