import type { Desk, DeskComment, DeskTicket, DeskUser } from './store.js';
import { renderBody, serializeComment } from './store.js';
import type { Json } from './http.js';
import { STATUSES } from './http.js';
import type { TicketEvent } from './webhooks.js';
import { commentAddedEvent, statusChangedEvent } from './webhooks.js';

/** A status change and a comment, made as one audit by the API user or an agent. */
export interface Change {
  status?: string;
  comment?: { body?: string; htmlBody?: string; public: boolean };
  /** Who makes the change (and writes the comment). */
  actor: DeskUser;
  channel: 'api' | 'web';
}

/** How changes to a ticket are made and checked, for the API and the agent actions alike. */
export function ticketChanges(desk: Desk) {
  /** A status change and a comment, as one audit; the ticket events it causes. */
  function apply(ticket: DeskTicket, change: Change) {
    const auditId = desk.newAuditId();
    const events: TicketEvent[] = [];
    const auditEvents: Json[] = [];
    let comment: DeskComment | undefined;
    if (change.comment) {
      const rendered = renderBody(change.comment);
      comment = desk.addComment({
        ticketId: ticket.id,
        auditId,
        authorId: change.actor.id,
        ...rendered,
        public: change.comment.public,
        channel: change.channel,
      });
      auditEvents.push(serializeComment(comment));
    }
    if (change.status !== undefined && change.status !== ticket.status) {
      const previous = ticket.status;
      ticket.status = change.status;
      desk.touch(ticket);
      auditEvents.push({
        id: desk.newAuditId(),
        type: 'Change',
        field_name: 'status',
        value: ticket.status,
        previous_value: previous,
      });
      events.push(statusChangedEvent(ticket, previous, change.actor.id));
    }
    // Zendesk sends ticket.comment_added for internal notes too (is_public false): townhall
    // is told of them, marked private, and must never pass them on.
    if (comment) events.push(commentAddedEvent(ticket, comment, change.actor));
    const audit = {
      id: auditId,
      ticket_id: ticket.id,
      created_at: comment?.createdAt ?? ticket.updatedAt,
      author_id: change.actor.id,
      metadata: { system: {}, custom: {} },
      events: auditEvents,
      via: { channel: change.channel, source: { from: {}, to: {}, rel: null } },
    };
    return { events, audit, comment };
  }

  /** Validates a ticket update's status; returns the details of a 422, if any. */
  function statusProblem(ticket: DeskTicket | undefined, status: unknown): Json | undefined {
    if (status === undefined) return undefined;
    if (typeof status !== 'string' || !STATUSES.includes(status))
      return {
        status: [
          { description: `Status: ${JSON.stringify(status)} is not valid`, error: 'InvalidValue' },
        ],
      };
    if (ticket && status === 'new' && ticket.status !== 'new')
      return {
        status: [{ description: 'Status: cannot be changed back to new', error: 'InvalidValue' }],
      };
    return undefined;
  }

  return { apply, statusProblem };
}

export type TicketChanges = ReturnType<typeof ticketChanges>;
