import { describe, expect, it } from 'vitest';
import {
  api,
  auth,
  EMAIL,
  fault,
  sandbox,
  ticketInput,
  tickets,
  TOKEN,
  useZendeskSandbox,
  zendesk,
} from '../support/zendesk-client.js';

/** The Support API emulator answers as Zendesk does: its requests, errors, limits and shapes. */

useZendeskSandbox();

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
