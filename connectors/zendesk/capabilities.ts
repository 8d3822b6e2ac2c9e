import { ConnectorError } from '../errors.js';
import type { HelpDesk } from '../ports.js';
import type { ZendeskConnector } from './client.js';
import { unexpectedAnswer } from './errors.js';
import { normalizeZendeskStatus } from './status.js';

/** Zendesk ticket ids are numbers: any other id names no ticket. */
const numericId = (ticketId: string) => (/^\d+$/.test(ticketId) ? Number(ticketId) : undefined);

/** Zendesk as townhall's help desk: tickets keyed by external_id, requesters are end users. */
export function zendeskHelpDesk(zendesk: ZendeskConnector): HelpDesk {
  return {
    async createTicket({ externalId, requester, subject, body, tags }) {
      // With an email Zendesk finds or creates the end user itself. A ticket's requester object
      // takes no external id, so without an email the member is found or made by it first.
      const who = requester.email
        ? { email: requester.email, name: requester.name }
        : {
            id: (
              await zendesk.upsertUser({ name: requester.name, externalId: requester.externalId })
            ).user.id,
          };
      const { ticket, created } = await zendesk.createTicket({
        externalId,
        requester: who,
        subject,
        comment: { body },
        tags,
      });
      return { ticketId: String(ticket.id), number: String(ticket.id), created };
    },

    async addComment({ ticketId, body, public: isPublic }) {
      const id = numericId(ticketId);
      if (id === undefined)
        throw new ConnectorError('not_found', `Zendesk has no ticket ${ticketId}`, {
          vendor: 'zendesk',
        });
      const { commentId } = await zendesk.addComment({
        ticketId: id,
        comment: { body },
        public: isPublic,
      });
      if (commentId !== null) return { commentId: String(commentId) };
      // Zendesk documents an audit in every update answer. Without one, the newest comment of
      // this visibility is read back: a best guess, wrong if an agent commented at that moment.
      const latest = (await zendesk.listComments(id)).filter((c) => c.public === isPublic).at(-1);
      if (!latest) throw unexpectedAnswer('comment', new Error('the comment is not on the ticket'));
      return { commentId: String(latest.id) };
    },

    async readStatus(ticketId) {
      const id = numericId(ticketId);
      const ticket = id === undefined ? undefined : await zendesk.getTicket(id);
      if (!ticket) return undefined;
      const status = normalizeZendeskStatus(ticket.status);
      if (!status)
        throw unexpectedAnswer('ticket read', new Error(`unknown status ${ticket.status}`));
      return { status, vendorStatus: ticket.status };
    },

    deleteRequester: (email) => zendesk.eraseEndUser(email),
  };
}
