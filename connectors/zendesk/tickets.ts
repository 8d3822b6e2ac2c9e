import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConnectorError } from '../errors.js';
import type { ZendeskApi } from './sdk.js';
import type { TicketPriority, ZendeskConfig } from './config.js';
import type { ZendeskTicket } from './resources.js';
import { toTicket, zendeskTicket } from './resources.js';

export interface TicketInput {
  /**
   * townhall's key for this ticket (e.g. `handoff:discourse:77`), stored as the ticket's
   * external_id: one live ticket per key, however often the create is retried.
   */
  externalId: string;
  /** An existing user, or an end user Zendesk finds or creates by email. */
  requester: { id: number } | { email: string; name?: string };
  subject: string;
  /** The first comment (the ticket's description), plain text or HTML. */
  comment: { body: string } | { html: string };
  /** Whether the requester sees the first comment; default true. */
  public?: boolean;
  /** Added to connectors.zendesk.ticketDefaults.tags. */
  tags?: string[];
  /** Default: connectors.zendesk.ticketDefaults.priority, else Zendesk's. */
  priority?: TicketPriority;
}

export interface CreatedTicket {
  ticket: ZendeskTicket;
  /** False when an earlier (or concurrent) attempt with the same externalId made the ticket. */
  created: boolean;
}

/** Zendesk keeps an Idempotency-Key for two hours; it must be at most 255 characters. */
export function idempotencyKeyFor(externalId: string): string {
  return `townhall-ticket-${createHash('sha256').update(externalId).digest('hex')}`;
}

/** Live tickets carrying this external_id, oldest (lowest id) first. */
export async function ticketsByExternalId(
  api: ZendeskApi,
  externalId: string,
  action: string,
): Promise<ZendeskTicket[]> {
  // GET /tickets.json?external_id= reads the ticket table; the search API would read an index
  // that lags new tickets by up to minutes, which is exactly when a retry asks.
  const tickets = await api.all(action, zendeskTicket, (client) =>
    client.tickets.listWithFilter('external_id', externalId),
  );
  return tickets
    .filter((ticket) => ticket.external_id === externalId && ticket.status !== 'deleted')
    .map(toTicket)
    .sort((a, b) => a.id - b.id);
}

function requestBody(defaults: ZendeskConfig['ticketDefaults'], input: TicketInput) {
  const tags = [...new Set([...defaults.tags, ...(input.tags ?? [])])];
  const priority = input.priority ?? defaults.priority;
  const comment =
    'html' in input.comment ? { html_body: input.comment.html } : { body: input.comment.body };
  const requester =
    'id' in input.requester
      ? { requester_id: input.requester.id }
      : {
          requester: {
            email: input.requester.email,
            name: input.requester.name ?? input.requester.email.split('@')[0],
          },
        };
  return {
    ticket: {
      subject: input.subject,
      comment: { ...comment, public: input.public ?? true },
      external_id: input.externalId,
      ...requester,
      ...(tags.length > 0 ? { tags } : {}),
      ...(priority ? { priority } : {}),
    },
  };
}

/**
 * Creates the ticket for `externalId` unless it exists. Three layers, each for a different way
 * a retry could make a second ticket:
 *
 * 1. Look first: a retry after a lost response finds the ticket the first attempt made (the
 *    list endpoint is consistent; see ticketsByExternalId).
 * 2. Send an Idempotency-Key derived from externalId: two attempts in flight at once (a
 *    timed-out attempt still running while its retry starts) get one ticket from Zendesk, the
 *    second answer marked `x-idempotency-lookup: hit`.
 * 3. Look again after creating: if the key did not help (it lapsed after two hours, or the
 *    attempts overlapped inside Zendesk), more than one ticket carries externalId. The lowest id
 *    wins everywhere; an attempt whose own ticket lost deletes it and returns the winner, so
 *    every attempt returns the same ticket and one stays live.
 *
 * What is left: a losing ticket exists for a moment (its requester may get Zendesk's "received"
 * email if a trigger sends one), and if the delete fails (say the agent lacks permission to
 * delete) it stays, harmless to townhall because every lookup picks the lowest id. The layers
 * assume Zendesk shows a committed ticket to the next list request; if a ticket with a lower id
 * became visible only after a higher one was returned, two attempts could disagree.
 */
export async function createTicketOnce(
  api: ZendeskApi,
  defaults: ZendeskConfig['ticketDefaults'],
  input: TicketInput,
): Promise<CreatedTicket> {
  const action = 'ticket creation';
  if (!input.externalId)
    throw new ConnectorError('invalid', `Zendesk ${action}: an externalId is required`, {
      vendor: 'zendesk',
    });
  const [earlier] = await ticketsByExternalId(api, input.externalId, action);
  if (earlier) return { ticket: earlier, created: false };

  const answer = await api.one(
    action,
    zendeskTicket,
    (client) => client.tickets.create(requestBody(defaults, input) as never),
    { 'Idempotency-Key': idempotencyKeyFor(input.externalId) },
  );
  const mine = toTicket(answer.data);
  if (answer.header('x-idempotency-lookup') === 'hit') return { ticket: mine, created: false };

  const live = await ticketsByExternalId(api, input.externalId, action);
  const winner = [...live, mine].sort((a, b) => a.id - b.id)[0]!;
  if (winner.id === mine.id) return { ticket: mine, created: true };
  try {
    await api.one(`duplicate ticket ${mine.id} removal`, z.unknown(), (client) =>
      client.tickets.delete(mine.id),
    );
  } catch (error) {
    // Best effort: the duplicate is harmless to townhall (lookups pick the lowest id).
    if (!(error instanceof ConnectorError)) throw error;
  }
  return { ticket: winner, created: false };
}
