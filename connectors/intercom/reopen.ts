import type { Intercom, IntercomClient } from 'intercom-client';
import { ConnectorError } from '../errors.js';
import { attempt } from './errors.js';
import type { IntercomStateCategory } from './states.js';

/** The state a reopened ticket moves to: being worked on again (the inbox's own reopen does). */
const REOPENED: IntercomStateCategory = 'in_progress';

/** The ticket type's live states, as the ticket carries its type. */
function statesOf(ticket: Intercom.Ticket): Intercom.TicketState[] {
  const states = ticket.ticket_type?.ticket_states?.data ?? [];
  return states.filter((state): state is Intercom.TicketState => state !== undefined);
}

/**
 * reopenTicket for tickets: PUT /tickets/{id} with a state of the ticket's own type (state ids
 * differ per type and workspace, so they are read, never configured) and `open: true`.
 */
export function ticketReopener(
  client: IntercomClient,
  config: { adminId: string },
  readTicket: (ticketId: string) => Promise<Intercom.Ticket | undefined>,
) {
  /** The states of the ticket's type: from the ticket, else read (a ticket carries them in 2.14). */
  async function statesOfType(ticket: Intercom.Ticket): Promise<Intercom.TicketState[]> {
    const carried = statesOf(ticket);
    const typeId = ticket.ticket_type?.id;
    if (carried.length > 0 || !typeId) return carried;
    const type = await attempt('ticket type read', () =>
      client.ticketTypes.get({ ticket_type_id: typeId }),
    );
    return type ? statesOf({ ...ticket, ticket_type: type }) : [];
  }

  /**
   * Moves a ticket that is not open (waiting on the customer, resolved, or closed with
   * `open: false`) to its type's first in-progress state, open. A ticket already submitted or
   * in progress and open is left as it is, so a repeat changes nothing.
   */
  return async function reopenTicket(ticketId: string): Promise<void> {
    const ticket = await readTicket(ticketId);
    if (!ticket)
      throw new ConnectorError('not_found', `Intercom has no ticket ${ticketId}`, {
        vendor: 'intercom',
      });
    const category = ticket.ticket_state?.category;
    const isOpen = category === 'submitted' || category === 'in_progress';
    if (isOpen && ticket.open !== false) return;
    const target = isOpen
      ? ticket.ticket_state
      : (await statesOfType(ticket)).find((state) => state.category === REOPENED && state.id);
    if (!target?.id)
      throw new ConnectorError(
        'invalid',
        `Intercom ticket ${ticketId}: its ticket type has no ${REOPENED} state to reopen it to`,
        { vendor: 'intercom' },
      );
    await attempt('ticket reopen', () =>
      client.tickets.update({
        ticket_id: ticketId,
        ticket_state_id: target.id,
        open: true,
        admin_id: Number(config.adminId),
      }),
    );
  };
}
