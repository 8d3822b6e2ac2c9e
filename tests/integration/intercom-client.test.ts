// Over 300 lines: one contract (the Intercom connector against its emulator, every request checked
// against the 2.14 description); its cases share one spec-conformance hook that a split would copy.
import { IntercomClient, IntercomError } from 'intercom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toActivityFailure } from '../../activities/failures.js';
import { ConnectorError } from '../../connectors/errors.js';
import type { IntercomConnector } from '../../connectors/intercom/client.js';
import { createIntercomConnector } from '../../connectors/intercom/client.js';
import { refFor } from '../../connectors/intercom/dedup.js';
import type { Sandbox } from '../../sandbox/index.js';
import { loadIntercomSpec } from '../../sandbox/intercom/spec.js';
import { startSandbox } from '../../sandbox/index.js';
import type { ReceivedRequest } from '../../sandbox/intercom/index.js';
import { freePort } from '../support/ports.js';

const TOKEN = 'test-intercom-token';
const ADMIN = '991267900';
let sandbox: Sandbox;
let intercom: IntercomConnector;
/** Tests that send a spec-violating request on purpose turn the afterEach check off. */
let conforming = true;

const connector = (overrides: Record<string, unknown> = {}) =>
  createIntercomConnector(
    {
      accessToken: TOKEN,
      clientSecret: 'unused-here',
      baseUrl: sandbox.url,
      create: 'ticket',
      ticketTypeId: '1',
      adminId: ADMIN,
      ...overrides,
    },
    { timeoutInSeconds: 5 },
  );

const inspect = async <T>(what: string) =>
  (await (await fetch(`${sandbox.url}/_sandbox/intercom/${what}`)).json()) as T[];

async function control(path: string, body: unknown) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
}
const fault = (body: Record<string, unknown>) =>
  control('/_sandbox/faults', { vendor: 'intercom', ...body });

/** A request as intercom-client would send it, but built by hand (to break the rules). */
function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'intercom-version': '2.14',
      'content-type': 'application/json',
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

interface SandboxTicket {
  id: string;
  ticket_attributes: Record<string, unknown>;
  ticket_state: { category: string };
  contacts: { contacts: { id: string }[] };
  ticket_parts: {
    ticket_parts: { part_type: string; body: string | null; author: { id: string } }[];
  };
}

const input = (dedupKey: string, contactId: string) => ({
  contactId,
  title: 'Password reset mail never arrives',
  transcript: 'ada: I asked for a reset twice and nothing came.\ngrace: same here.',
  dedupKey,
});

beforeAll(async () => {
  sandbox = await startSandbox({
    port: await freePort(),
    vendors: { intercom: { accessToken: TOKEN } },
  });
  intercom = connector();
  // The emulator parses the 2.14 description on its first request; do it before the clock runs.
  loadIntercomSpec();
});
beforeEach(async () => {
  conforming = true;
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
});
afterEach(async () => {
  if (!conforming) return;
  // Emulator fidelity: every request the connector sent conforms to the 2.14 description.
  const received = await inspect<ReceivedRequest>('requests');
  expect(received.length).toBeGreaterThan(0);
  expect(received.filter((r) => r.valid === false)).toEqual([]);
  expect(received.filter((r) => r.status !== null && r.status < 300 && !r.operation)).toEqual([]);
  expect(received.every((r) => r.version === '2.14')).toBe(true);
});
afterAll(() => sandbox?.stop());

describe('Intercom connector against the emulator (intercom-client over a socket)', () => {
  it('finds or creates a contact by external id, then by email', async () => {
    const first = await intercom.findOrCreateContact({
      externalId: 'member-1',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
    });
    expect(first).toMatchObject({
      externalId: 'member-1',
      email: 'ada@example.com',
      created: true,
    });
    expect(first.id).toMatch(/^[0-9a-f]{24}$/);
    expect(await intercom.findOrCreateContact({ externalId: 'member-1' })).toEqual({
      ...first,
      created: false,
    });
    expect(await intercom.findOrCreateContact({ email: 'ADA@example.com' })).toEqual({
      ...first,
      created: false,
    });
    const other = await intercom.findOrCreateContact({ email: 'grace@example.com' });
    expect(other.created).toBe(true);
    expect(await inspect('contacts')).toHaveLength(2);
    await expect(intercom.findOrCreateContact({})).rejects.toMatchObject({ code: 'invalid' });
  });

  it('treats a 409 on create as "exists": retryable until search shows it, then found', async () => {
    // Intercom's search trails new contacts; someone else created this one a moment ago.
    await control('/_sandbox/intercom/settings', { searchLagMs: 1_200 });
    const made = await api('POST', '/contacts', { role: 'user', email: 'lin@example.com' });
    expect(made.status).toBe(200);
    const error = await intercom
      .findOrCreateContact({ email: 'lin@example.com' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'unavailable', retryable: true, status: 409 });
    const conflicts = (await inspect<ReceivedRequest>('requests')).filter(
      (r) => r.path === '/contacts' && r.status === 409,
    );
    expect(conflicts).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 1_300));
    const found = await intercom.findOrCreateContact({ email: 'lin@example.com' });
    expect(found).toMatchObject({ email: 'lin@example.com', created: false });
    expect(await inspect('contacts')).toHaveLength(1);
  });

  it('creates a ticket of the configured type once per dedup key', async () => {
    const contact = await intercom.findOrCreateContact({ email: 'ada@example.com' });
    const first = await intercom.createTicket(input('handoff:discourse:77', contact.id));
    expect(first).toMatchObject({
      kind: 'ticket',
      created: true,
      number: '1',
      externalId: refFor('handoff:discourse:77'),
    });
    const retry = await intercom.createTicket(input('handoff:discourse:77', contact.id));
    expect(retry).toEqual({ ...first, created: false });
    const other = await intercom.createTicket(input('handoff:discourse:78', contact.id));
    expect(other).toMatchObject({ created: true, number: '2' });

    const tickets = await inspect<SandboxTicket>('tickets');
    expect(tickets).toHaveLength(2);
    expect(tickets[0]).toMatchObject({
      id: first.id,
      ticket_attributes: {
        _default_title_: 'Password reset mail never arrives',
        _default_description_: input('', '').transcript,
        townhall_ref: first.externalId,
      },
      ticket_state: { category: 'submitted' },
      contacts: { contacts: [{ id: contact.id }] },
    });
  });

  it('adds the hidden townhall_ref attribute to a ticket type that lacks it, once', async () => {
    const bugs = connector({ ticketTypeId: '2' });
    const contact = await bugs.findOrCreateContact({ email: 'ada@example.com' });
    const first = await bugs.createTicket(input('bug:1', contact.id));
    const again = await connector({ ticketTypeId: '2' }).createTicket(input('bug:1', contact.id));
    expect(again).toEqual({ ...first, created: false });
    const type = (await (await api('GET', '/ticket_types/2')).json()) as {
      ticket_type_attributes: { data: { name: string; visible_to_contacts: boolean }[] };
    };
    const refs = type.ticket_type_attributes.data.filter((a) => a.name === 'townhall_ref');
    expect(refs).toEqual([expect.objectContaining({ visible_to_contacts: false })]);
    await expect(
      connector({ ticketTypeId: '99' }).createTicket(input('x', contact.id)),
    ).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('ticketTypeId') });
  });

  it('a retried create after a lost response yields one ticket', async () => {
    const contact = await intercom.findOrCreateContact({ email: 'ada@example.com' });
    // Ticket type read and cached, so the next create is: search, then POST /tickets.
    await intercom.createTicket(input('warm-up', contact.id));
    // Faults match in queue order: the first lets the search through untouched, the second
    // lets POST /tickets create the ticket and then closes the connection instead of answering.
    await fault({ path: '/tickets/search' });
    await fault({ path: '/tickets', drop: true });

    const lost = await intercom
      .createTicket(input('handoff:slack:C1:171', contact.id))
      .catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(ConnectorError);
    expect(lost).toMatchObject({ code: 'unavailable', retryable: true });
    expect(await inspect('tickets')).toHaveLength(2);

    const retried = await intercom.createTicket(input('handoff:slack:C1:171', contact.id));
    expect(retried.created).toBe(false);
    const tickets = await inspect<SandboxTicket>('tickets');
    expect(tickets).toHaveLength(2);
    expect(tickets[1]?.id).toBe(retried.id);
    const creates = (await inspect<ReceivedRequest>('requests')).filter(
      (r) => r.method === 'POST' && r.path === '/tickets',
    );
    // The warm-up's create, and the one whose answer was lost (no status: connection closed).
    expect(creates.map((r) => r.status)).toEqual([200, null]);
  });

  it('replies as the admin, publicly or as a note, and reads the ticket back', async () => {
    const contact = await intercom.findOrCreateContact({ email: 'ada@example.com' });
    const ticket = await intercom.createTicket(input('replies', contact.id));
    const comment = await intercom.replyAsAdmin({ ticketId: ticket.id, body: '<p>On it.</p>' });
    const note = await intercom.replyAsAdmin({
      ticketId: ticket.id,
      body: 'Looks like the mail queue',
      kind: 'note',
    });
    expect(comment.partId).not.toBe(note.partId);
    const [stored] = await inspect<SandboxTicket>('tickets');
    expect(stored?.ticket_parts.ticket_parts).toEqual([
      expect.objectContaining({
        part_type: 'comment',
        body: '<p>On it.</p>',
        author: expect.objectContaining({ id: ADMIN }),
      }),
      expect.objectContaining({ part_type: 'note', body: 'Looks like the mail queue' }),
    ]);
    expect(await intercom.getTicket(ticket.id)).toEqual({
      id: ticket.id,
      number: '1',
      title: 'Password reset mail never arrives',
      state: 'submitted',
      status: 'open',
      open: true,
      externalId: ticket.externalId,
      contactIds: [contact.id],
      ticketTypeId: '1',
    });
    expect(await intercom.getTicket('424242')).toBeUndefined();
    await expect(intercom.replyAsAdmin({ ticketId: '424242', body: 'x' })).rejects.toMatchObject({
      code: 'not_found',
      status: 404,
    });
  });

  it('creates a conversation instead, by config, also once per dedup key', async () => {
    const conversations = connector({ create: 'conversation', ticketTypeId: undefined });
    const contact = await conversations.findOrCreateContact({ externalId: 'member-9' });
    const first = await conversations.createTicket(input('handoff:reddit:t3_x', contact.id));
    expect(first).toMatchObject({ kind: 'conversation', created: true, number: null });
    expect(await conversations.createTicket(input('handoff:reddit:t3_x', contact.id))).toEqual({
      ...first,
      created: false,
    });
    const reply = await conversations.replyAsAdmin({ ticketId: first.id, body: 'Hello!' });
    expect(reply.partId).toMatch(/^\d+$/);
    const stored = await inspect<{ id: string; source: { body: string } }>('conversations');
    expect(stored).toHaveLength(1);
    expect(stored[0]?.source.body).toContain(first.externalId);
    await expect(conversations.getTicket(first.id)).rejects.toMatchObject({
      code: 'invalid',
      retryable: false,
    });
  });

  it('a 401 is not retryable and names the credential, without echoing it', async () => {
    const secret = 'wrong-token-9f8e7d';
    const error = await connector({ accessToken: secret })
      .findOrCreateContact({ email: 'ada@example.com' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({
      code: 'auth',
      retryable: false,
      status: 401,
      vendor: 'intercom',
    });
    const { message } = error as ConnectorError;
    expect(message).toContain('connectors.intercom.accessToken');
    expect(message).not.toContain(secret);
    expect(JSON.stringify(toActivityFailure(error))).not.toContain(secret);
    expect(toActivityFailure(error)).toMatchObject({ nonRetryable: true });
    const [rejected] = await inspect<ReceivedRequest>('requests');
    expect(rejected?.status).toBe(401);
  });

  it('a 429 carries the wait: Retry-After, else X-RateLimit-Reset', async () => {
    await fault({ status: 429, retryAfterSeconds: 7 });
    const withRetryAfter = await intercom.getTicket('1').catch((e: unknown) => e);
    expect(withRetryAfter).toMatchObject({ code: 'rate_limited', retryAfterMs: 7_000 });
    await fault({ status: 429 });
    const before = Date.now();
    const withReset = (await intercom.getTicket('1').catch((e: unknown) => e)) as ConnectorError;
    expect(withReset).toMatchObject({ code: 'rate_limited', retryable: true, status: 429 });
    // The end of the current 10-second window, in whole seconds.
    expect(withReset.retryAfterMs).toBeGreaterThanOrEqual(0);
    expect(withReset.retryAfterMs).toBeLessThanOrEqual(10_000 + (Date.now() - before));
    expect(toActivityFailure(withRetryAfter)).toMatchObject({ nextRetryDelay: 7_000 });
  });

  it('honours Intercom-Version: 2.14 served, unknown versions refused as Intercom does', async () => {
    conforming = false;
    expect((await api('GET', '/ticket_types')).status).toBe(200);
    const unknown = await api('GET', '/ticket_types', undefined, { 'intercom-version': '3.7' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      type: 'error.list',
      errors: [{ code: 'intercom_version_invalid' }],
    });
    const older = new IntercomClient({
      token: TOKEN,
      baseUrl: sandbox.url,
      version: '2.9',
      maxRetries: 0,
    });
    const error = await older.ticketTypes.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntercomError);
    expect(error).toMatchObject({
      statusCode: 400,
      body: { errors: [{ code: 'intercom_version_invalid' }] },
    });
  });

  it("rejects a request the 2.14 description does not allow, with Intercom's 400", async () => {
    conforming = false;
    const missing = await api('POST', '/tickets', { contacts: [{ id: 'x' }] });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      type: 'error.list',
      errors: [{ code: 'parameter_not_found', message: expect.stringContaining('ticket_type_id') }],
    });
    const contact = await intercom.findOrCreateContact({ email: 'ada@example.com' });
    const { id } = await intercom.createTicket(input('spec', contact.id));
    // ticket_state_id is a string in the description; intercom-client's types say so too.
    const client = new IntercomClient({ token: TOKEN, baseUrl: sandbox.url, maxRetries: 0 });
    const wrongType = await client.tickets
      .update({ ticket_id: id, ticket_state_id: 8004 as unknown as string })
      .catch((e: unknown) => e);
    expect(wrongType).toMatchObject({
      statusCode: 400,
      body: { errors: [{ code: 'parameter_invalid' }] },
    });
    const received = await inspect<ReceivedRequest>('requests');
    expect(received.filter((r) => r.valid === false)).toEqual([
      expect.objectContaining({ operation: 'post /tickets', status: 400 }),
      expect.objectContaining({
        operation: 'put /tickets/{ticket_id}',
        problems: ['ticket_state_id must be string'],
      }),
    ]);
    expect((await intercom.getTicket(id))?.state).toBe('submitted');
  });
});
