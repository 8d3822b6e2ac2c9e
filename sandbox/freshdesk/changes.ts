import type { Conversation, Desk, Person, Ticket } from './store.js';
import type { RenderedEvent } from './webhooks.js';
import { renderEvent } from './webhooks.js';

/** Freshdesk's built-in statuses (2 Open, 3 Pending, 4 Resolved, 5 Closed). */
export const STATUSES = [2, 3, 4, 5];
export const PRIORITIES = [1, 2, 3, 4];

/** Changes to a ticket and the rule webhooks each causes, for the API and agent actions alike. */
export function ticketChanges(desk: Desk, externalIdField: string) {
  return {
    setStatus(ticket: Ticket, status: number): RenderedEvent[] {
      if (status === ticket.status) return [];
      ticket.status = status;
      desk.touch(ticket);
      return [renderEvent(desk, externalIdField, ticket, { kind: 'status' })];
    },
    converse(
      ticket: Ticket,
      author: Person,
      fields: Pick<Conversation, 'body' | 'private' | 'incoming' | 'source'>,
    ): { conversation: Conversation; events: RenderedEvent[] } {
      const conversation = desk.addConversation({
        ticketId: ticket.id,
        userId: author.id,
        ...fields,
      });
      const kind = fields.source === 0 ? 'reply' : 'note';
      return {
        conversation,
        events: [renderEvent(desk, externalIdField, ticket, { kind, conversation })],
      };
    },
  };
}

export type TicketChanges = ReturnType<typeof ticketChanges>;
