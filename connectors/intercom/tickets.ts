import type { Intercom, IntercomClient } from 'intercom-client';
import type { TicketStatus } from '../business-events.js';
import { ConnectorError } from '../errors.js';
import { REF_ATTRIBUTE, refFor } from './dedup.js';
import { attempt } from './errors.js';
import { ticketReopener } from './reopen.js';
import type { IntercomStateCategory } from './states.js';
import { isStateCategory, normalizeState } from './states.js';

export interface TicketInput {
  contactId: string;
  title: string;
  /** The community thread, as plain text; becomes the ticket's description. */
  transcript: string;
  /** Stable across retries of one logical create (workflow id + step). */
  dedupKey: string;
}

export interface CreatedTicket {
  kind: 'ticket' | 'conversation';
  /** The id the API uses. */
  id: string;
  /** The number agents see in the inbox (tickets only). */
  number: string | null;
  /** The ref townhall gave it (BusinessEvent.externalId). */
  externalId: string;
  /** False when an earlier attempt with the same dedup key had already created it. */
  created: boolean;
}

export interface IntercomTicketInfo {
  id: string;
  number: string | null;
  title: string | null;
  state: IntercomStateCategory | null;
  status: TicketStatus | null;
  open: boolean | null;
  externalId: string | null;
  contactIds: string[];
  ticketTypeId: string | null;
}

interface TicketTypeInfo {
  refAttributeId: string | undefined;
}

/**
 * Ticket type attributes: the 2.14 description's schema names the array
 * `ticket_type_attributes`, while its examples (and the live API) call it `data`. Read both.
 */
function attributesOf(type: Intercom.TicketType): Intercom.TicketTypeAttribute[] {
  const list = type.ticket_type_attributes as
    { ticket_type_attributes?: unknown; data?: unknown } | undefined;
  const items = list?.data ?? list?.ticket_type_attributes;
  return Array.isArray(items) ? (items as Intercom.TicketTypeAttribute[]) : [];
}

function infoOf(type: Intercom.TicketType): TicketTypeInfo {
  const ref = attributesOf(type).find((a) => a?.name === REF_ATTRIBUTE && !a.archived);
  return { refAttributeId: ref?.id };
}

function describe(ticket: Intercom.Ticket): IntercomTicketInfo {
  const attributes = ticket.ticket_attributes ?? {};
  const category = ticket.ticket_state?.category;
  const state = isStateCategory(category) ? category : null;
  const text = (key: string) => {
    const value = attributes[key];
    return typeof value === 'string' && value !== '' ? value : null;
  };
  return {
    id: ticket.id,
    number: ticket.ticket_id ?? null,
    title: text('_default_title_'),
    state,
    status: state ? normalizeState(state) : null,
    open: ticket.open ?? null,
    externalId: text(REF_ATTRIBUTE),
    contactIds: (ticket.contacts?.contacts ?? []).flatMap((c) => (c.id ? [c.id] : [])),
    ticketTypeId: ticket.ticket_type?.id ?? null,
  };
}

const invalid = (message: string) => new ConnectorError('invalid', message, { vendor: 'intercom' });
const notFound = (ticketId: string) =>
  new ConnectorError('not_found', `Intercom has no ticket ${ticketId}`, { vendor: 'intercom' });

export function ticketActions(
  client: IntercomClient,
  config: { ticketTypeId?: string | undefined; adminId: string },
) {
  const types = new Map<string, Promise<TicketTypeInfo>>();

  /** Ticket types change rarely; one read per type per process (dropped if it failed). */
  function typeInfo(typeId: string): Promise<TicketTypeInfo> {
    let info = types.get(typeId);
    if (!info) {
      info = readType(typeId);
      types.set(typeId, info);
      info.catch(() => types.delete(typeId));
    }
    return info;
  }

  async function readType(typeId: string): Promise<TicketTypeInfo> {
    try {
      const type = await attempt('ticket type read', () =>
        client.ticketTypes.get({ ticket_type_id: typeId }),
      );
      if (!type) throw new ConnectorError('not_found', 'no ticket type', { vendor: 'intercom' });
      return infoOf(type);
    } catch (error) {
      if (error instanceof ConnectorError && error.code === 'not_found')
        throw invalid(
          `Intercom has no ticket type ${typeId}: check connectors.intercom.ticketTypeId (Settings > Tickets)`,
        );
      throw error;
    }
  }

  /**
   * The id of the ticket type's `townhall_ref` attribute, created on first use: a text field
   * hidden from contacts and from the create form, so agents and members never see it.
   */
  async function refAttributeId(typeId: string): Promise<string> {
    const known = (await typeInfo(typeId)).refAttributeId;
    if (known) return known;
    try {
      const created = await attempt('ticket attribute creation', () =>
        client.ticketTypes.attributes.create({
          ticket_type_id: typeId,
          name: REF_ATTRIBUTE,
          description: 'Set by townhall to find the ticket it created; do not edit',
          data_type: 'string',
          required_to_create: false,
          required_to_create_for_contacts: false,
          visible_on_create: false,
          visible_to_contacts: false,
        }),
      );
      if (created?.id) {
        types.set(
          typeId,
          Promise.resolve({ ...(await typeInfo(typeId)), refAttributeId: created.id }),
        );
        return created.id;
      }
    } catch (error) {
      // A concurrent attempt may have created it first (a 400 for the taken name): re-read.
      if (!(error instanceof ConnectorError) || error.code !== 'invalid') throw error;
    }
    types.delete(typeId);
    const reread = (await typeInfo(typeId)).refAttributeId;
    if (reread) return reread;
    throw invalid(
      `Intercom ticket type ${typeId} has no ${REF_ATTRIBUTE} attribute and townhall could not add it: add a text attribute named ${REF_ATTRIBUTE} (Settings > Tickets)`,
    );
  }

  async function findByRef(typeId: string, attributeId: string, ref: string) {
    const page = await attempt('ticket search', () =>
      client.tickets.search({
        query: {
          operator: 'AND',
          value: [
            { field: 'ticket_type_id', operator: '=', value: typeId },
            { field: `ticket_attribute.${attributeId}`, operator: '=', value: ref },
          ],
        },
        pagination: { per_page: 5 },
      }),
    );
    // Should the race in dedup.ts have made two, the first one created is the ticket.
    return page.data
      .filter((ticket): ticket is Intercom.Ticket => ticket !== undefined)
      .sort((a, b) => (a.created_at ?? 0) - (b.created_at ?? 0) || Number(a.id) - Number(b.id))[0];
  }

  async function readTicket(ticketId: string): Promise<Intercom.Ticket | undefined> {
    try {
      return await attempt('ticket read', () => client.tickets.get({ ticket_id: ticketId }));
    } catch (error) {
      if (error instanceof ConnectorError && error.code === 'not_found') return undefined;
      throw error;
    }
  }

  return {
    reopenTicket: ticketReopener(client, config, readTicket),

    async createTicket(input: TicketInput): Promise<CreatedTicket> {
      const typeId = config.ticketTypeId;
      if (!typeId) throw invalid('connectors.intercom.ticketTypeId is not set');
      const ref = refFor(input.dedupKey);
      const attributeId = await refAttributeId(typeId);
      const summary = (ticket: Intercom.Ticket, created: boolean): CreatedTicket => ({
        kind: 'ticket',
        id: ticket.id,
        number: ticket.ticket_id ?? null,
        externalId: ref,
        created,
      });

      const earlier = await findByRef(typeId, attributeId, ref);
      if (earlier) return summary(earlier, false);
      // intercom-client 7 leaves ticket_attributes out of its request type; the API takes it.
      const request: Intercom.CreateTicketRequest & { ticket_attributes: Record<string, string> } =
        {
          ticket_type_id: typeId,
          contacts: [{ id: input.contactId }],
          ticket_attributes: {
            _default_title_: input.title,
            _default_description_: input.transcript,
            [REF_ATTRIBUTE]: ref,
          },
        };
      const ticket = await attempt('ticket creation', () => client.tickets.create(request));
      if (!ticket)
        throw new ConnectorError('unavailable', 'Intercom ticket creation: empty answer', {
          vendor: 'intercom',
        });
      return summary(ticket, true);
    },

    async getTicket(ticketId: string): Promise<IntercomTicketInfo | undefined> {
      const ticket = await readTicket(ticketId);
      return ticket ? describe(ticket) : undefined;
    },

    /**
     * A teammate's comment or note, or (`requester`) a comment as the ticket's contact, which
     * Intercom shows as the customer's own message. Contacts write comments only.
     */
    async replyToTicket(input: {
      ticketId: string;
      body: string;
      kind: 'comment' | 'note' | 'requester';
    }): Promise<{ partId: string }> {
      let body: Intercom.ReplyToTicketRequest['body'];
      if (input.kind === 'requester') {
        const ticket = await readTicket(input.ticketId);
        const contactId = ticket?.contacts?.contacts?.find((c) => c.id)?.id;
        if (!ticket) throw notFound(input.ticketId);
        if (!contactId) throw invalid(`Intercom ticket ${input.ticketId} has no contact`);
        body = {
          message_type: 'comment',
          type: 'user',
          intercom_user_id: contactId,
          body: input.body,
        };
      } else
        body = {
          message_type: input.kind,
          type: 'admin',
          admin_id: config.adminId,
          body: input.body,
        };
      const reply = await attempt('ticket reply', () =>
        client.tickets.reply({ ticket_id: input.ticketId, body }),
      );
      if (!reply.id)
        throw new ConnectorError('unavailable', 'Intercom ticket reply: no part id in the answer', {
          vendor: 'intercom',
        });
      return { partId: reply.id };
    },
  };
}
