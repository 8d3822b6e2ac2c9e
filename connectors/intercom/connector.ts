import { ConnectorError } from '../errors.js';
import type { ActionSpec } from '../types.js';
import type { IntercomClientOptions } from './client.js';
import { intercomClient } from './client.js';
import type { IntercomConfig } from './config.js';
import type { ContactLookup, IntercomContactRef } from './contacts.js';
import { contactActions } from './contacts.js';
import { conversationActions } from './conversations.js';
import type { IntercomStateCategory } from './states.js';
import type { CreatedTicket, IntercomTicketInfo, TicketInput } from './tickets.js';
import { ticketActions } from './tickets.js';

export interface IntercomConnector {
  findOrCreateContact(lookup: ContactLookup): Promise<IntercomContactRef>;
  /** A ticket of the configured type, or a conversation (`create: conversation`). */
  createTicket(input: TicketInput): Promise<CreatedTicket>;
  /** A public reply (`comment`) or an internal `note`, as the configured admin. */
  replyAsAdmin(input: {
    ticketId: string;
    body: string;
    kind?: 'comment' | 'note';
  }): Promise<{ partId: string }>;
  /** Tickets only (conversations have no ticket states). */
  updateState(input: {
    ticketId: string;
    state: IntercomStateCategory;
  }): Promise<{ changed: boolean }>;
  /** undefined when there is no such ticket. Tickets only. */
  getTicket(ticketId: string): Promise<IntercomTicketInfo | undefined>;
}

/**
 * Which actions are harmless to repeat. Contacts are unique by email and external id, so a
 * repeated find-or-create finds the first. Creates search for their ref first, but Intercom's
 * search index can trail a write (dedup.ts), so the guarantee belongs to the activity layer;
 * replies carry no key at all.
 */
export const intercomActions = {
  findOrCreateContact: { idempotent: true },
  createTicket: { idempotent: false },
  replyAsAdmin: { idempotent: false },
  updateState: { idempotent: true },
  getTicket: { idempotent: true },
} as const satisfies Record<keyof IntercomConnector, ActionSpec>;

export function createIntercomConnector(
  config: IntercomConfig,
  options: IntercomClientOptions = {},
): IntercomConnector {
  const client = intercomClient(config, options);
  const tickets = ticketActions(client, config);
  const conversations = conversationActions(client, config);
  const ticketsOnly = (action: string) => {
    if (config.create === 'conversation')
      throw new ConnectorError(
        'invalid',
        `Intercom ${action} applies to tickets, and connectors.intercom.create is "conversation"`,
        { vendor: 'intercom' },
      );
  };

  return {
    findOrCreateContact: contactActions(client),

    createTicket(input) {
      return config.create === 'conversation'
        ? conversations.createConversation(input)
        : tickets.createTicket(input);
    },

    replyAsAdmin({ ticketId, body, kind = 'comment' }) {
      return config.create === 'conversation'
        ? conversations.replyToConversation({ conversationId: ticketId, body, kind })
        : tickets.replyToTicket({ ticketId, body, kind });
    },

    async updateState(input) {
      ticketsOnly('state update');
      return tickets.updateState(input);
    },

    async getTicket(ticketId) {
      ticketsOnly('ticket read');
      return tickets.getTicket(ticketId);
    },
  };
}
