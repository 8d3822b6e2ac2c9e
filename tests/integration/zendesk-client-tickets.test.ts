import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import { zendeskHelpDesk } from '../../connectors/zendesk/capabilities.js';
import {
  sandbox,
  ticketInput,
  tickets,
  useZendeskSandbox,
  zendesk,
} from '../support/zendesk-client.js';

/** Tickets created, found by external id, commented on and moved through their statuses. */

useZendeskSandbox();

describe('Zendesk connector (node-zendesk) against the emulator', () => {
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

  it('reopens pending and solved tickets, leaves new ones, and refuses a closed one as a conflict', async () => {
    const helpdesk = zendeskHelpDesk(zendesk);
    const { ticket } = await zendesk.createTicket(ticketInput('handoff:discourse:31'));
    const id = String(ticket.id);
    await helpdesk.reopenTicket(id);
    expect((await zendesk.getTicket(ticket.id))?.status).toBe('new');
    for (const status of ['pending', 'hold', 'solved'] as const) {
      await zendesk.updateStatus({ ticketId: ticket.id, status });
      await helpdesk.reopenTicket(id);
      expect((await zendesk.getTicket(ticket.id))?.status).toBe('open');
    }

    await zendesk.updateStatus({ ticketId: ticket.id, status: 'closed' });
    const refused = await helpdesk.reopenTicket(id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConnectorError);
    expect(refused).toMatchObject({ code: 'conflict', retryable: false });
    expect((await zendesk.getTicket(ticket.id))?.status).toBe('closed');
  });

  it('writes a requester comment as the requester (author_id), public, and links the request page', async () => {
    const helpdesk = zendeskHelpDesk(zendesk);
    const created = await helpdesk.createTicket({
      externalId: 'handoff:discourse:32',
      requester: { email: 'ada@example.com', name: 'Ada' },
      subject: 'Reset mail',
      body: 'ada: nothing arrives',
    });
    expect(created.url).toBe(`${sandbox.url}/hc/requests/${created.ticketId}`);
    // Asked private, still public: a requester writes no internal notes.
    await helpdesk.addComment({
      ticketId: created.ticketId,
      body: 'Still nothing.',
      public: false,
      author: 'requester',
    });
    const requests = (await (await fetch(`${sandbox.url}/_sandbox/zendesk/requests`)).json()) as {
      method: string;
      body: { ticket?: { comment?: unknown } } | null;
    }[];
    const [stored] = await tickets();
    expect(requests.filter((r) => r.method === 'PUT').map((r) => r.body?.ticket?.comment)).toEqual([
      { body: 'Still nothing.', public: true, author_id: stored!.requester_id },
    ]);
  });
});
