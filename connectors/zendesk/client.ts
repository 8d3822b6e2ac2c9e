import { z } from 'zod';
import { ConnectorError } from '../errors.js';
import type { ZendeskApiOptions } from './sdk.js';
import { zendeskApi } from './sdk.js';
import type { ZendeskConfig } from './config.js';
import { accountUrl } from './config.js';
import type { ZendeskComment, ZendeskStatus, ZendeskTicket, ZendeskUser } from './resources.js';
import {
  toComment,
  toTicket,
  toUser,
  zendeskComment,
  zendeskTicket,
  zendeskUser,
} from './resources.js';
import type { CreatedTicket, TicketInput } from './tickets.js';
import { createTicketOnce, ticketsByExternalId } from './tickets.js';
import { eraseEndUser } from './users.js';

export type { CreatedTicket, TicketInput } from './tickets.js';

export interface ZendeskConnector {
  /** Creates or updates the end user identified by email or external id. */
  upsertUser(input: {
    name: string;
    email?: string;
    externalId?: string;
  }): Promise<{ user: ZendeskUser; created: boolean }>;
  /** One live ticket per externalId, however often it is retried (see tickets.ts). */
  createTicket(input: TicketInput): Promise<CreatedTicket>;
  /** The live ticket carrying this external_id (the oldest if several), or undefined. */
  findTicketByExternalId(externalId: string): Promise<ZendeskTicket | undefined>;
  /** The ticket with this id, or undefined when there is none (or it was deleted). */
  getTicket(ticketId: number): Promise<ZendeskTicket | undefined>;
  /**
   * A public reply or an internal note, as the API user, or as `authorId` (an agent may write a
   * comment on an end user's behalf). `commentId` comes from the update's audit; null if the
   * answer carried none.
   */
  addComment(input: {
    ticketId: number;
    comment: { body: string } | { html: string };
    public: boolean;
    authorId?: number | undefined;
  }): Promise<{ ticket: ZendeskTicket; commentId: number | null }>;
  updateStatus(input: {
    ticketId: number;
    status: Exclude<ZendeskStatus, 'new'>;
  }): Promise<ZendeskTicket>;
  /** Every comment on the ticket, oldest first, internal notes included. */
  listComments(ticketId: number): Promise<ZendeskComment[]>;
  /** Deletes the end user with this email for good (see users.ts); refuses agents and admins. */
  eraseEndUser(email: string): Promise<{ deleted: boolean }>;
  /**
   * The ticket's page in the Help Center (`<account>/hc/requests/<id>`), where its requester
   * follows it once signed in. Built, not read: the API returns no public link.
   */
  requestUrl(ticketId: number): string;
}

/**
 * Update Ticket answers `{ ticket, audit }`; the audit's events include the comment it added,
 * whose id is the comment's id (Zendesk's comments are audit events).
 */
const updateAnswer = z.looseObject({
  audit: z.looseObject({
    events: z.array(z.looseObject({ id: z.number().int(), type: z.string() })),
  }),
});

const commentBody = (comment: { body: string } | { html: string }) =>
  'html' in comment ? { html_body: comment.html } : { body: comment.body };

export function createZendeskConnector(
  config: ZendeskConfig,
  options: ZendeskApiOptions = {},
): ZendeskConnector {
  const api = zendeskApi(config, options);

  async function updateTicket(action: string, ticketId: number, ticket: Record<string, unknown>) {
    const answer = await api.one(action, zendeskTicket, (client) =>
      client.tickets.update(ticketId, { ticket }),
    );
    return { ticket: toTicket(answer.data), document: answer.document };
  }

  return {
    async upsertUser({ name, email, externalId }) {
      const action = 'user create_or_update';
      if (!email && !externalId)
        throw new ConnectorError('invalid', `Zendesk ${action}: needs an email or an externalId`, {
          vendor: 'zendesk',
        });
      // No role: a new user is an end user, and an existing agent keeps their role.
      const user = {
        name,
        ...(email ? { email } : {}),
        ...(externalId ? { external_id: externalId } : {}),
      };
      const answer = await api.one(action, zendeskUser, (client) =>
        client.users.createOrUpdate({ user }),
      );
      // 201 Created for a new user, 200 OK for an update.
      return { user: toUser(answer.data), created: answer.status === 201 };
    },

    createTicket: (input) => createTicketOnce(api, config.ticketDefaults, input),

    async findTicketByExternalId(externalId) {
      const [ticket] = await ticketsByExternalId(api, externalId, 'ticket lookup');
      return ticket;
    },

    async getTicket(ticketId) {
      try {
        const answer = await api.one('ticket read', zendeskTicket, (client) =>
          client.tickets.show(ticketId),
        );
        return toTicket(answer.data);
      } catch (error) {
        if (error instanceof ConnectorError && error.code === 'not_found') return undefined;
        throw error;
      }
    },

    async addComment({ ticketId, comment, public: isPublic, authorId }) {
      const { ticket, document } = await updateTicket('comment', ticketId, {
        comment: {
          ...commentBody(comment),
          public: isPublic,
          ...(authorId !== undefined ? { author_id: authorId } : {}),
        },
      });
      const audit = updateAnswer.safeParse(document);
      const added = audit.success
        ? audit.data.audit.events.find((event) => event.type === 'Comment')
        : undefined;
      return { ticket, commentId: added?.id ?? null };
    },

    async updateStatus({ ticketId, status }) {
      return (await updateTicket('status update', ticketId, { status })).ticket;
    },

    async listComments(ticketId) {
      const comments = await api.all('comment list', zendeskComment, (client) =>
        client.tickets.getComments(ticketId),
      );
      return comments.map(toComment).sort((a, b) => a.id - b.id);
    },

    eraseEndUser: (email) => eraseEndUser(api, email),

    requestUrl: (ticketId) => `${accountUrl(config)}/hc/requests/${ticketId}`,
  };
}
