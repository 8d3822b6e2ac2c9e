import { ConnectorError } from '../errors.js';
import type { ActionSpec } from '../types.js';
import type { ZendeskApiOptions } from './api.js';
import { zendeskApi } from './api.js';
import type { ZendeskConfig } from './config.js';
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
  /** A public reply or an internal note, as the API user. */
  addComment(input: {
    ticketId: number;
    comment: { body: string } | { html: string };
    public: boolean;
  }): Promise<ZendeskTicket>;
  updateStatus(input: {
    ticketId: number;
    status: Exclude<ZendeskStatus, 'new'>;
  }): Promise<ZendeskTicket>;
  /** Every comment on the ticket, oldest first, internal notes included. */
  listComments(ticketId: number): Promise<ZendeskComment[]>;
}

/**
 * create_or_update is Zendesk's idempotent upsert; createTicket is made idempotent by its
 * externalId (look up, Idempotency-Key, look again); setting a status twice leaves it set.
 * A comment has no key in Zendesk, so a repeated addComment posts twice: callers need the
 * activity layer's deliveries ledger for it.
 */
export const zendeskActions = {
  upsertUser: { idempotent: true },
  createTicket: { idempotent: true },
  findTicketByExternalId: { idempotent: true },
  addComment: { idempotent: false },
  updateStatus: { idempotent: true },
  listComments: { idempotent: true },
} as const satisfies Record<keyof ZendeskConnector, ActionSpec>;

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
    return toTicket(answer.data);
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

    addComment({ ticketId, comment, public: isPublic }) {
      return updateTicket('comment', ticketId, {
        comment: { ...commentBody(comment), public: isPublic },
      });
    },

    updateStatus({ ticketId, status }) {
      return updateTicket('status update', ticketId, { status });
    },

    async listComments(ticketId) {
      const comments = await api.all('comment list', zendeskComment, (client) =>
        client.tickets.getComments(ticketId),
      );
      return comments.map(toComment).sort((a, b) => a.id - b.id);
    },
  };
}
