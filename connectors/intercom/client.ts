import { ConnectorError } from '../errors.js';
import type { IntercomClientOptions } from './sdk.js';
import { intercomClient } from './sdk.js';
import type { IntercomConfig } from './config.js';
import type { ContactLookup, IntercomContactRef } from './contacts.js';
import { contactActions, contactErasure } from './contacts.js';
import { conversationActions } from './conversations.js';
import type { CreatedTicket, IntercomTicketInfo, TicketInput } from './tickets.js';
import { ticketActions } from './tickets.js';

export interface IntercomConnector {
  /** What createTicket makes, as connectors.intercom.create says. */
  readonly kind: 'ticket' | 'conversation';
  findOrCreateContact(lookup: ContactLookup): Promise<IntercomContactRef>;
  /** A ticket of the configured type, or a conversation (`create: conversation`). */
  createTicket(input: TicketInput): Promise<CreatedTicket>;
  /** A public reply (`comment`) or an internal `note`, as the configured admin. */
  replyAsAdmin(input: {
    ticketId: string;
    body: string;
    kind?: 'comment' | 'note';
  }): Promise<{ partId: string }>;
  /** A comment as the ticket's (or conversation's) contact: the customer's own message. */
  replyAsContact(input: { ticketId: string; body: string }): Promise<{ partId: string }>;
  /** Opens a resolved ticket, or a closed or snoozed conversation; an open one stays. */
  reopen(ticketId: string): Promise<void>;
  /** undefined when there is no such ticket. Tickets only. */
  getTicket(ticketId: string): Promise<IntercomTicketInfo | undefined>;
  /** The conversation's state (open, snoozed, closed); undefined when there is none. */
  getConversation(conversationId: string): Promise<{ id: string; state: string } | undefined>;
  /** Deletes the contacts with this email (see contacts.ts); refuses a teammate's address. */
  eraseContacts(email: string): Promise<{ deleted: boolean }>;
}

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
    kind: config.create,

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

    replyAsContact({ ticketId, body }) {
      return config.create === 'conversation'
        ? conversations.replyToConversation({ conversationId: ticketId, body, kind: 'requester' })
        : tickets.replyToTicket({ ticketId, body, kind: 'requester' });
    },

    reopen(ticketId) {
      return config.create === 'conversation'
        ? conversations.reopenConversation(ticketId)
        : tickets.reopenTicket(ticketId);
    },

    async getTicket(ticketId) {
      ticketsOnly('ticket read');
      return tickets.getTicket(ticketId);
    },

    getConversation: (conversationId) => conversations.getConversation(conversationId),

    eraseContacts: contactErasure(client),
  };
}
