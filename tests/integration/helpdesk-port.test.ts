// Over 300 lines: one contract every help desk runs (describe.each over the providers); a split
// would start the sandbox and the webhook catcher twice.
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BusinessEvent } from '../../connectors/business-events.js';
import { ConnectorError } from '../../connectors/errors.js';
import { registry } from '../../connectors/index.js';
import type { HelpDesk, TicketRequester } from '../../connectors/ports.js';
import { buildCapabilities } from '../../runtime/capabilities.js';
import { createLogger } from '../../runtime/logger.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import type { ReceivedRequest } from '../../sandbox/intercom/index.js';
import { loadIntercomSpec } from '../../sandbox/intercom/spec.js';
import type { AgentAction, Provider } from '../support/helpdesk-providers.js';
import { CONTEXT_DIRS, INTERCOM, PROVIDERS, ZENDESK } from '../support/helpdesk-providers.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/sandbox.js';

/**
 * One contract for every help desk, through the HelpDesk port alone: the port is built from a
 * config section the way the runtime builds it, and the sandbox's inspection routes show what
 * it did.
 */

const logger = createLogger('test');
logger.level = 'silent';
let sandbox: Sandbox;

/** Webhooks the emulators sent, caught where townhall would be: path, headers, raw bytes. */
interface Caught {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}
const caught: Caught[] = [];
let catcher: Server;

async function post(path: string, body: unknown = {}) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, `POST ${path}`).toBeLessThan(300);
}

const ticketFor = (
  externalId: string,
  requester: TicketRequester = { email: 'ada@example.com', name: 'Ada' },
) => ({
  externalId,
  requester,
  subject: 'Password reset email never arrives',
  body: 'ada: I asked for a reset twice and nothing came.\ngrace: same here.',
  tags: ['community'],
});

beforeAll(async () => {
  sandbox = await startSandbox({
    port: await freePort(),
    vendors: {
      zendesk: { email: ZENDESK.email, apiToken: ZENDESK.apiToken },
      intercom: { accessToken: INTERCOM.accessToken },
    },
  });
  // The Intercom emulator parses its 2.14 description on first use; do it before any test.
  loadIntercomSpec();
  catcher = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      caught.push({ path: req.url ?? '', headers: req.headers, rawBody: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => catcher.listen(port, '127.0.0.1', resolve));
  sandbox.setTownhallUrl(`http://127.0.0.1:${port}`);
});
afterAll(async () => {
  await sandbox?.stop();
  await new Promise((resolve) => catcher?.close(resolve));
});

describe.each(PROVIDERS)('the help desk port on $name', (provider: Provider) => {
  let helpdesk: HelpDesk;
  const tickets = () => provider.tickets(sandbox.url);
  const people = () => provider.people(sandbox.url);
  const act = ({ action, body }: AgentAction, ticketId: string) =>
    post(`/_sandbox/${action.replace(':id', ticketId)}`, body);

  beforeAll(() => {
    const config = { connectors: provider.connectors(sandbox.url) };
    const context = { logger, publicUrl: 'http://127.0.0.1:3000', ...CONTEXT_DIRS };
    helpdesk = buildCapabilities(config, registry, context).helpdesk!;
    expect(helpdesk).toBeDefined();
  });
  beforeEach(async () => {
    await post('/_sandbox/reset');
    caught.length = 0;
  });

  /**
   * The comment events townhall's receiver makes of the webhooks caught so far for this desk,
   * each checked against the signature the desk's config expects, as the hub checks it.
   */
  function receivedComments(): Extract<BusinessEvent, { type: 'ticket.comment_added' }>[] {
    const [[id, section]] = Object.entries(provider.connectors(sandbox.url)) as [[string, unknown]];
    const descriptor = registry.find((connector) => connector.id === id)!;
    const route = descriptor.inbound![0]!;
    const config = descriptor.config.parse(section);
    return caught
      .filter((delivery) => delivery.path === route.path)
      .flatMap((delivery) => {
        const request = { rawBody: delivery.rawBody, headers: delivery.headers };
        expect(route.receiver.verify(request, config), 'signature').toBe(true);
        const result = route.receiver.parse(request, config);
        // A help desk's receiver is of the business family: its events are BusinessEvents.
        const event = result.kind === 'event' ? (result.event as BusinessEvent) : undefined;
        return event?.type === 'ticket.comment_added' ? [event] : [];
      });
  }
  afterEach(async () => {
    // Emulator fidelity: every Intercom request conformed to the 2.14 description.
    const received = (await (
      await fetch(`${sandbox.url}/_sandbox/intercom/requests`)
    ).json()) as ReceivedRequest[];
    expect(received.filter((r) => r.valid === false)).toEqual([]);
    expect(received.filter((r) => r.status !== null && r.status < 300 && !r.operation)).toEqual([]);
  });

  it('creates one ticket per external id, and says the second time that it existed', async () => {
    const first = await helpdesk.createTicket(ticketFor('handoff:discourse:77'));
    expect(first).toEqual({
      ticketId: expect.any(String),
      number: expect.any(String),
      url: provider.ticketUrl(sandbox.url, first.ticketId),
      created: true,
    });
    const again = await helpdesk.createTicket(ticketFor('handoff:discourse:77'));
    expect(again).toEqual({ ...first, created: false });
    expect((await tickets()).map((t) => t.id)).toEqual([first.ticketId]);

    const other = await helpdesk.createTicket(ticketFor('handoff:discourse:78'));
    expect(other.created).toBe(true);
    expect(other.ticketId).not.toBe(first.ticketId);
    expect(await tickets()).toHaveLength(2);
  });

  it('finds or makes a requester known only by member id, once', async () => {
    const member = { name: 'Hedy Lamarr', externalId: 'member-7' };
    const first = await helpdesk.createTicket(ticketFor('handoff:discord:1', member));
    const second = await helpdesk.createTicket(ticketFor('handoff:discord:2', member));
    expect([first.created, second.created]).toEqual([true, true]);
    expect(await tickets()).toHaveLength(2);
    expect((await people()).filter((p) => p.externalId === 'member-7')).toHaveLength(1);
  });

  it('still makes one ticket when the answer to the create is lost and the call retried', async () => {
    for (const fault of provider.lostCreate) await post('/_sandbox/faults', fault);
    const lost = await helpdesk
      .createTicket(ticketFor('handoff:slack:C1:171'))
      .catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(ConnectorError);
    expect(lost).toMatchObject({ code: 'unavailable', retryable: true });
    expect(await tickets()).toHaveLength(1);
    expect(sandbox.faults.list()).toEqual([]);

    const retried = await helpdesk.createTicket(ticketFor('handoff:slack:C1:171'));
    expect(retried.created).toBe(false);
    expect((await tickets()).map((t) => t.id)).toEqual([retried.ticketId]);
  });

  it('adds a public reply and an internal note, each with its visibility', async () => {
    const { ticketId } = await helpdesk.createTicket(ticketFor('handoff:discourse:5'));
    const reply = await helpdesk.addComment({ ticketId, body: 'We are on it.', public: true });
    const note = await helpdesk.addComment({ ticketId, body: 'Mail queue again?', public: false });
    expect(reply.commentId).not.toBe(note.commentId);

    const [held] = await tickets();
    const byId = (id: string) => held?.comments.find((comment) => comment.id === id);
    expect(byId(reply.commentId)).toEqual({
      id: reply.commentId,
      body: 'We are on it.',
      public: true,
      byRequester: false,
    });
    expect(byId(note.commentId)).toEqual({
      id: note.commentId,
      body: 'Mail queue again?',
      public: false,
      byRequester: false,
    });
    await expect(
      helpdesk.addComment({ ticketId: '424242', body: 'Anyone?', public: true }),
    ).rejects.toMatchObject({ code: 'not_found', retryable: false });
  });

  it('reads the status in townhall’s words as the agent moves the ticket on', async () => {
    const { ticketId } = await helpdesk.createTicket(ticketFor('handoff:discourse:9'));
    expect(await helpdesk.readStatus(ticketId)).toEqual({
      status: 'open',
      vendorStatus: provider.opened,
    });
    for (const step of [provider.wait, provider.finish]) {
      await act(step, ticketId);
      expect(await helpdesk.readStatus(ticketId)).toEqual({
        status: step.status,
        vendorStatus: step.vendorStatus,
      });
    }
    expect(await helpdesk.readStatus('424242')).toBeUndefined();
  });

  it('reopens a solved ticket, leaves an open one as it is, and takes a repeat', async () => {
    const { ticketId } = await helpdesk.createTicket(ticketFor('handoff:discourse:21'));
    const fresh = await helpdesk.readStatus(ticketId);
    await helpdesk.reopenTicket(ticketId);
    expect(await helpdesk.readStatus(ticketId)).toEqual(fresh);

    await act(provider.finish, ticketId);
    expect((await helpdesk.readStatus(ticketId))?.status).toBe(provider.finish.status);
    await helpdesk.reopenTicket(ticketId);
    const reopened = await helpdesk.readStatus(ticketId);
    expect(reopened?.status).toBe('open');
    await helpdesk.reopenTicket(ticketId);
    expect(await helpdesk.readStatus(ticketId)).toEqual(reopened);

    await expect(helpdesk.reopenTicket('424242')).rejects.toMatchObject({
      code: 'not_found',
      retryable: false,
    });
  });

  it('adds the requester’s own comment, public, and its webhook names the requester', async () => {
    const { ticketId } = await helpdesk.createTicket(ticketFor('handoff:discourse:22'));
    await act(provider.finish, ticketId);
    const { commentId } = await helpdesk.addComment({
      ticketId,
      body: 'It happened again this morning.',
      public: true,
      author: 'requester',
    });
    const [held] = await tickets();
    expect(held?.comments.find((comment) => comment.id === commentId)).toEqual({
      id: commentId,
      body: expect.stringContaining('It happened again this morning.'),
      public: true,
      byRequester: true,
    });
    // The emulators leave the status alone: townhall reopens explicitly with reopenTicket (a
    // real desk's own triggers may also reopen on a requester's reply).
    expect((await helpdesk.readStatus(ticketId))?.status).toBe(provider.finish.status);

    // townhall hears of its own comment and can tell it is the requester's words, not news.
    const echo = await waitFor('the requester comment’s webhook', () =>
      receivedComments().find((event) => event.commentId === commentId),
    );
    expect(echo).toMatchObject({ ticketId, public: true, author: { role: 'requester' } });

    const agent = await helpdesk.addComment({ ticketId, body: 'Looking.', public: true });
    const [after] = await tickets();
    expect(after?.comments.find((c) => c.id === agent.commentId)?.byRequester).toBe(false);
  });

  it('sends an agent’s internal note as a webhook the hub reads as a private comment', async () => {
    const { ticketId } = await helpdesk.createTicket(ticketFor('handoff:discourse:23'));
    await act({ ...provider.finish, ...provider.note }, ticketId);
    const note = await waitFor('the note’s webhook', () => receivedComments()[0]);
    expect(note).toMatchObject({
      ticketId,
      public: false,
      author: { role: 'agent' },
      text: 'Customer on the old plan',
    });
    const [held] = await tickets();
    expect(held?.comments.find((c) => c.id === note.commentId)).toMatchObject({ public: false });
  });

  it('erases the requester; a second erasure finds nobody', async () => {
    await helpdesk.createTicket(ticketFor('handoff:discourse:11'));
    await helpdesk.createTicket(
      ticketFor('handoff:discourse:12', { email: 'grace@example.com', name: 'Grace' }),
    );
    const emails = async () => (await people()).map((p) => p.email);
    expect(await emails()).toContain('ada@example.com');

    expect(await helpdesk.deleteRequester('Ada@Example.com')).toEqual({ deleted: true });
    expect(await emails()).not.toContain('ada@example.com');
    expect(await emails()).toContain('grace@example.com');
    expect(await helpdesk.deleteRequester('ada@example.com')).toEqual({ deleted: false });
    expect(await helpdesk.deleteRequester('nobody@example.com')).toEqual({ deleted: false });
  });

  it('erases the requester after a lost answer to the delete and a retry', async () => {
    await helpdesk.createTicket(ticketFor('handoff:discourse:14'));
    for (const fault of provider.lostDelete) await post('/_sandbox/faults', fault);
    const lost = await helpdesk.deleteRequester('ada@example.com').catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: 'unavailable', retryable: true });
    expect(sandbox.faults.list()).toEqual([]);

    // Whether the retry still finds something to erase is the desk's business; the person must
    // be gone afterwards either way.
    await helpdesk.deleteRequester('ada@example.com');
    expect((await people()).map((p) => p.email)).not.toContain('ada@example.com');
    expect(await helpdesk.deleteRequester('ada@example.com')).toEqual({ deleted: false });
  });

  it("refuses an agent's address and deletes nothing", async () => {
    // The agent once asked for help as a requester too: the desk holds a person by that address.
    await helpdesk.createTicket(
      ticketFor('handoff:discourse:13', { email: provider.agentEmail, name: 'Sandbox Agent' }),
    );
    const before = await people();
    expect(before.map((p) => p.email)).toContain(provider.agentEmail);

    const refused = await helpdesk.deleteRequester(provider.agentEmail).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConnectorError);
    expect(refused).toMatchObject({ code: 'invalid', retryable: false });
    expect((refused as Error).message).not.toContain(provider.agentEmail);
    expect(await people()).toEqual(before);
  });
});
