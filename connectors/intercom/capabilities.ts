import { ConnectorError } from '../errors.js';
import type { HelpDesk } from '../ports.js';
import type { IntercomConnector } from './client.js';
import { normalizeConversationState } from './states.js';

const unexpected = (what: string) =>
  new ConnectorError('unavailable', `Intercom ${what}: unexpected answer`, { vendor: 'intercom' });

/**
 * Intercom as townhall's help desk: a ticket of the configured type, or a conversation
 * (`create: conversation`), started by the member's contact.
 */
export function intercomHelpDesk(intercom: IntercomConnector): HelpDesk {
  return {
    // Tags are not applied: Intercom tags a ticket one tag id at a time (POST /tickets/{id}/tags),
    // after looking the tag up by name, and nothing townhall runs reads them back. No `url`:
    // Intercom has no public page for a ticket (the requester follows it in the Messenger).
    async createTicket({ externalId, requester, subject, body }) {
      const contact = await intercom.findOrCreateContact({
        email: requester.email,
        externalId: requester.externalId,
        name: requester.name,
      });
      const ticket = await intercom.createTicket({
        contactId: contact.id,
        title: subject,
        transcript: body,
        dedupKey: externalId,
      });
      return { ticketId: ticket.id, number: ticket.number ?? ticket.id, created: ticket.created };
    },

    // The requester's comment is always public: a contact writes no notes.
    async addComment({ ticketId, body, public: isPublic, author = 'agent' }) {
      const { partId } =
        author === 'requester'
          ? await intercom.replyAsContact({ ticketId, body })
          : await intercom.replyAsAdmin({ ticketId, body, kind: isPublic ? 'comment' : 'note' });
      return { commentId: partId };
    },

    reopenTicket: (ticketId) => intercom.reopen(ticketId),

    async readStatus(ticketId) {
      if (intercom.kind === 'conversation') {
        const conversation = await intercom.getConversation(ticketId);
        if (!conversation) return undefined;
        const status = normalizeConversationState(conversation.state);
        if (!status) throw unexpected(`conversation read (state ${conversation.state})`);
        return { status, vendorStatus: conversation.state };
      }
      const ticket = await intercom.getTicket(ticketId);
      if (!ticket) return undefined;
      if (!ticket.state || !ticket.status) throw unexpected('ticket read (no known state)');
      return { status: ticket.status, vendorStatus: ticket.state };
    },

    deleteRequester: (email) => intercom.eraseContacts(email),
  };
}
