import { ConnectorError } from '../errors.js';
import type { HelpDesk } from '../ports.js';
import type { ZendeskConnector } from './client.js';
import { unexpectedAnswer } from './errors.js';
import { normalizeZendeskStatus } from './status.js';

/** Zendesk ticket ids are numbers: any other id names no ticket. */
const numericId = (ticketId: string) => (/^\d+$/.test(ticketId) ? Number(ticketId) : undefined);

const noTicket = (ticketId: string) =>
  new ConnectorError('not_found', `Zendesk has no ticket ${ticketId}`, { vendor: 'zendesk' });

/** Statuses reopenTicket moves to open; new and open already are, closed never can be. */
const REOPENABLE = new Set(['pending', 'hold', 'solved']);

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
      return {
        ticketId: String(ticket.id),
        number: String(ticket.id),
        url: zendesk.requestUrl(ticket.id),
        created,
      };
    },

    async addComment({ ticketId, body, public: asked, author = 'agent' }) {
      const id = numericId(ticketId);
      if (id === undefined) throw noTicket(ticketId);
      // The requester's own words: written by the API agent on their behalf (author_id), which
      // Zendesk shows as the requester's comment. Always public: a requester has no notes.
      let authorId: number | undefined;
      if (author === 'requester') {
        const ticket = await zendesk.getTicket(id);
        if (!ticket) throw noTicket(ticketId);
        authorId = ticket.requesterId;
      }
      const isPublic = author === 'requester' ? true : asked;
      const { commentId } = await zendesk.addComment({
        ticketId: id,
        comment: { body },
        public: isPublic,
        authorId,
      });
      if (commentId !== null) return { commentId: String(commentId) };
      // Zendesk documents an audit in every update answer. Without one, the newest comment of
      // this visibility is read back: a best guess, wrong if an agent commented at that moment.
      const latest = (await zendesk.listComments(id))
        .filter((c) => c.public === isPublic && (authorId === undefined || c.authorId === authorId))
        .at(-1);
      if (!latest) throw unexpectedAnswer('comment', new Error('the comment is not on the ticket'));
      return { commentId: String(latest.id) };
    },

    /**
     * Read first, so a repeat changes nothing: a new ticket stays new (no agent has taken it up
     * yet) and an open one is left alone. A closed ticket refuses every update
     * (422) and stays closed for good: that is a conflict with the ticket's state, not a bad
     * request, and making a follow-up ticket instead is the caller's decision.
     */
    async reopenTicket(ticketId) {
      const id = numericId(ticketId);
      const ticket = id === undefined ? undefined : await zendesk.getTicket(id);
      if (!ticket) throw noTicket(ticketId);
      if (ticket.status === 'closed')
        throw new ConnectorError(
          'conflict',
          `Zendesk ticket ${ticketId} is closed, and closed tickets cannot be reopened (a follow-up ticket can be made instead)`,
          { vendor: 'zendesk' },
        );
      if (!REOPENABLE.has(ticket.status)) return;
      await zendesk.updateStatus({ ticketId: ticket.id, status: 'open' });
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
