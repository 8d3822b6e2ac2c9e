import { z } from 'zod';
import type { FreshdeskConfig } from './config.js';
import { refused } from './errors.js';
import type { FreshdeskHttp } from './http.js';
import type { FreshdeskConversation, FreshdeskTicket } from './resources.js';
import { freshdeskConversation, freshdeskTicket, ticketSearch } from './resources.js';
import { OPEN } from './status.js';
import { plainToHtml } from './text.js';
import { ConnectorError } from '../errors.js';

/** Who a new ticket is for: Freshdesk finds or makes the contact by email, or a contact's id. */
export type Requester = { email: string; name: string } | { requesterId: number };

export interface TicketInput {
  externalId: string;
  requester: Requester;
  subject: string;
  /** Plain text; sent as HTML (see text.ts). */
  description: string;
  tags?: readonly string[] | undefined;
}

/** Priority 1 (Low) is Freshdesk's default; the create needs one with a status. */
const LOW = 1;

const byAge = (a: FreshdeskTicket, b: FreshdeskTicket) =>
  a.created_at.localeCompare(b.created_at) || a.id - b.id;

/**
 * Tickets with townhall's id in a custom field. Creation is made idempotent by looking before
 * creating: townhall's own ledger tells a retry apart, and the lookup finds what an attempt whose
 * answer was lost had made.
 */
export function ticketActions(http: FreshdeskHttp, config: FreshdeskConfig) {
  const field = config.externalIdField;

  /**
   * Filter Tickets (GET /search/tickets): `query="<field>:'<value>'"`, where a custom field is
   * named without its `cf_` prefix. Search is indexed a few minutes behind writes, so a miss is
   * not an answer on its own: see `listed`.
   */
  async function searched(externalId: string): Promise<FreshdeskTicket[]> {
    // The query language has no escapes: a quote would end the value early.
    if (/['"\\]/.test(externalId))
      throw refused('an external id with quotes cannot be searched for');
    const { results } = await http.call({
      action: 'ticket search',
      method: 'GET',
      path: '/search/tickets',
      query: { query: `"${field.replace(/^cf_/, '')}:'${externalId}'"` },
      answer: ticketSearch,
    });
    return results;
  }

  /**
   * The requester's recent tickets (List All Tickets, read from the database, not the search
   * index): covers an attempt made moments ago whose answer was lost. Newest first, 100 of them.
   */
  async function listed(externalId: string, requester: Requester): Promise<FreshdeskTicket[]> {
    const tickets = await http.call({
      action: 'ticket list',
      method: 'GET',
      path: '/tickets',
      query: {
        ...('email' in requester
          ? { email: requester.email }
          : { requester_id: requester.requesterId }),
        order_by: 'created_at',
        order_type: 'desc',
        per_page: 100,
      },
      answer: z.array(freshdeskTicket),
    });
    return tickets.filter((ticket) => ticket.custom_fields?.[field] === externalId);
  }

  const live = (tickets: FreshdeskTicket[]) =>
    tickets.filter((ticket) => !ticket.deleted && !ticket.spam).sort(byAge);

  async function findByExternalId(externalId: string, requester?: Requester) {
    const [found] = live(await searched(externalId));
    if (found || !requester) return found;
    return live(await listed(externalId, requester))[0];
  }

  async function get(ticketId: number): Promise<FreshdeskTicket | undefined> {
    try {
      const ticket = await http.call({
        action: 'ticket read',
        method: 'GET',
        path: `/tickets/${ticketId}`,
        answer: freshdeskTicket,
      });
      return ticket.deleted ? undefined : ticket;
    } catch (error) {
      if (error instanceof ConnectorError && error.code === 'not_found') return undefined;
      throw error;
    }
  }

  return {
    findByExternalId,
    get,

    /** One live ticket per external id, however often this is retried. */
    async createOnce(input: TicketInput): Promise<{ ticket: FreshdeskTicket; created: boolean }> {
      const existing = await findByExternalId(input.externalId, input.requester);
      if (existing) return { ticket: existing, created: false };
      const ticket = await http.call({
        action: 'ticket create',
        method: 'POST',
        path: '/tickets',
        body: {
          ...('email' in input.requester
            ? { email: input.requester.email, name: input.requester.name }
            : { requester_id: input.requester.requesterId }),
          subject: input.subject,
          description: plainToHtml(input.description),
          status: OPEN,
          priority: LOW,
          tags: [...new Set([...config.tags, ...(input.tags ?? [])])],
          custom_fields: { [field]: input.externalId },
        },
        answer: freshdeskTicket,
      });
      return { ticket, created: true };
    },

    /** A public reply as the API key's agent: the requester is emailed and sees it on the portal. */
    reply: (ticketId: number, body: string): Promise<FreshdeskConversation> =>
      http.call({
        action: 'reply',
        method: 'POST',
        path: `/tickets/${ticketId}/reply`,
        body: { body: plainToHtml(body) },
        answer: freshdeskConversation,
      }),

    /**
     * A note: private (agents only) or public. `incoming` with the requester's user_id makes it
     * the requester's own message, shown as theirs and not sent to them again.
     */
    note: (
      ticketId: number,
      input: { body: string; private: boolean; fromUserId?: number | undefined },
    ): Promise<FreshdeskConversation> =>
      http.call({
        action: 'note',
        method: 'POST',
        path: `/tickets/${ticketId}/notes`,
        body: {
          body: plainToHtml(input.body),
          private: input.private,
          ...(input.fromUserId !== undefined ? { incoming: true, user_id: input.fromUserId } : {}),
        },
        answer: freshdeskConversation,
      }),

    setStatus: (ticketId: number, status: number): Promise<FreshdeskTicket> =>
      http.call({
        action: 'status update',
        method: 'PUT',
        path: `/tickets/${ticketId}`,
        body: { status },
        answer: freshdeskTicket,
      }),

    /** Replies and notes, oldest first (the description is the ticket's, not a conversation). */
    conversations: (ticketId: number): Promise<FreshdeskConversation[]> =>
      http.call({
        action: 'conversation list',
        method: 'GET',
        path: `/tickets/${ticketId}/conversations`,
        query: { per_page: 100 },
        answer: z.array(freshdeskConversation),
      }),
  };
}

export type TicketActions = ReturnType<typeof ticketActions>;
