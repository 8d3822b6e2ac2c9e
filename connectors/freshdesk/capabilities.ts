import { ConnectorError } from '../errors.js';
import type { HelpDesk, TicketRequester } from '../ports.js';
import type { FreshdeskConnector, Requester } from './client.js';
import { unexpectedAnswer } from './errors.js';
import { OPEN, normalizeFreshdeskStatus, statusName } from './status.js';

/**
 * A requester with neither email nor member id (rare: every member has one of them) is filed
 * under one shared placeholder contact, since Freshdesk makes no contact from a name alone. The
 * member's own name stays in the transcript the ticket starts with.
 */
export const PLACEHOLDER_REQUESTER = {
  uniqueExternalId: 'townhall:unknown-requester',
  name: 'Community member (no email)',
};

/** Freshdesk ticket ids are numbers: any other id names no ticket. */
function numericId(ticketId: string): number {
  if (/^\d+$/.test(ticketId)) return Number(ticketId);
  throw new ConnectorError('not_found', `Freshdesk has no ticket ${ticketId}`, {
    vendor: 'freshdesk',
  });
}

/**
 * With an email, Freshdesk finds or makes the contact as the ticket is created. Without one, the
 * contact is found or made by `unique_external_id` (townhall's member id) first.
 */
async function requesterOf(
  freshdesk: FreshdeskConnector,
  who: TicketRequester,
): Promise<Requester> {
  if (who.email) return { email: who.email, name: who.name };
  const contact = who.externalId
    ? await freshdesk.findOrCreateContact(who.name, who.externalId)
    : await freshdesk.findOrCreateContact(
        PLACEHOLDER_REQUESTER.name,
        PLACEHOLDER_REQUESTER.uniqueExternalId,
      );
  return { requesterId: contact.id };
}

/** Freshdesk as townhall's help desk: tickets keyed by a custom field, requesters are contacts. */
export function freshdeskHelpDesk(freshdesk: FreshdeskConnector): HelpDesk {
  return {
    async createTicket({ externalId, requester, subject, body, tags }) {
      const { ticket, created } = await freshdesk.createTicket({
        externalId,
        requester: await requesterOf(freshdesk, requester),
        subject,
        description: body,
        tags,
      });
      const id = String(ticket.id);
      return { ticketId: id, number: id, url: freshdesk.portalUrl(ticket.id), created };
    },

    async addComment({ ticketId, body, public: isPublic, author }) {
      const id = numericId(ticketId);
      if (author === 'requester') {
        // The requester's own words: a public note marked incoming, by the requester's contact.
        const ticket = await freshdesk.getTicket(id);
        if (!ticket)
          throw new ConnectorError('not_found', `Freshdesk has no ticket ${ticketId}`, {
            vendor: 'freshdesk',
          });
        const note = await freshdesk.addNote(id, {
          body,
          private: false,
          fromUserId: ticket.requester_id,
        });
        return { commentId: String(note.id) };
      }
      const conversation = isPublic
        ? await freshdesk.reply(id, body)
        : await freshdesk.addNote(id, { body, private: true });
      return { commentId: String(conversation.id) };
    },

    async reopenTicket(ticketId) {
      const id = numericId(ticketId);
      const ticket = await freshdesk.getTicket(id);
      if (!ticket)
        throw new ConnectorError('not_found', `Freshdesk has no ticket ${ticketId}`, {
          vendor: 'freshdesk',
        });
      if (ticket.status !== OPEN) await freshdesk.setStatus(id, OPEN);
    },

    async readStatus(ticketId) {
      if (!/^\d+$/.test(ticketId)) return undefined;
      const ticket = await freshdesk.getTicket(Number(ticketId));
      if (!ticket) return undefined;
      const status = normalizeFreshdeskStatus(ticket.status);
      if (!status)
        throw unexpectedAnswer('ticket read', new Error(`unknown status ${ticket.status}`));
      return { status, vendorStatus: statusName(ticket.status) };
    },

    deleteRequester: (email) => freshdesk.eraseContact(email),
  };
}
