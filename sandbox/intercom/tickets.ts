import express from 'express';
import type { ApiContext } from './api-helpers.js';
import { searchable } from './api-helpers.js';
import type { IntercomEmitter } from './emit.js';
import { partTopic } from './emit.js';
import { fail, invalid, notFound } from './errors.js';
import type { FieldValue } from './search.js';
import type { Ticket } from './store.js';
import { serializeTicket, serializeTicketPart } from './serialize.js';

const TICKET_FIELDS = new Set([
  'id',
  'created_at',
  'updated_at',
  'title',
  'description',
  'category',
  'ticket_type_id',
  'contact_ids',
  'teammate_ids',
  'admin_assignee_id',
  'team_assignee_id',
  'open',
  'state',
  'snoozed_until',
]);

/** Ticket categories are searched by these terms, not by their names. */
const CATEGORY_TERM = { Customer: 'request', 'Back-office': 'task', Tracker: 'tracker' } as const;

/** Tickets: create, search, read, update (state changes notify townhall), reply. */
export function ticketRoutes(context: ApiContext, emitter: IntercomEmitter) {
  const { ws, conforms, contactRef, search, replyPart } = context;
  const router = express.Router();

  /** Attribute names the ticket type defines; anything else is refused. */
  function unknownAttribute(ticket: { typeId: string }, attributes: Record<string, unknown>) {
    const names = new Set(ws.ticketTypes.get(ticket.typeId)!.attributes.map((a) => a.name));
    return Object.keys(attributes).find((name) => !names.has(name));
  }

  router.post('/tickets', conforms('post', '/tickets'), (req, res) => {
    const body = req.body as {
      ticket_type_id: string;
      contacts: { id?: string; external_id?: string; email?: string }[];
      ticket_attributes?: Record<string, unknown>;
    };
    const type = ws.ticketTypes.get(body.ticket_type_id);
    if (!type) return notFound(res, 'Ticket type not found');
    if (body.contacts.length !== 1)
      return invalid(res, 'A ticket is created with exactly one contact', 'contacts');
    const given = body.contacts[0]!;
    let contact = contactRef(given);
    if (!contact && given.id !== undefined) return notFound(res, 'User Not Found');
    // An unknown email or external id makes a new lead / user, as Intercom does.
    contact ??= ws.addContact({
      role: given.email !== undefined ? 'lead' : 'user',
      email: given.email ?? null,
      externalId: given.external_id ?? null,
      name: null,
    });
    const attributes = body.ticket_attributes ?? {};
    const unknown = unknownAttribute({ typeId: type.id }, attributes);
    if (unknown) return invalid(res, `${unknown} is not an attribute of this ticket type`, unknown);
    const ticket = ws.addTicket({ type, attributes, contactIds: [contact.id] });
    res.json(serializeTicket(ws, ticket));
  });

  router.post('/tickets/search', conforms('post', '/tickets/search'), (req, res) => {
    const attributeName = (ticket: Ticket, id: string) =>
      ws.ticketTypes.get(ticket.typeId)?.attributes.find((a) => a.id === id)?.name;
    const attributeIds = new Set(
      [...ws.ticketTypes.values()].flatMap((type) => type.attributes.map((a) => a.id)),
    );
    const result = search<Ticket>(
      req,
      res,
      searchable(ws.tickets.values()),
      (ticket, field) => {
        if (field.startsWith('ticket_attribute.')) {
          const name = attributeName(ticket, field.slice('ticket_attribute.'.length));
          return name ? (ticket.attributes[name] as FieldValue) : undefined;
        }
        const type = ws.ticketTypes.get(ticket.typeId)!;
        return {
          id: ticket.id,
          created_at: ticket.createdAt,
          updated_at: ticket.updatedAt,
          title: ticket.attributes._default_title_ as FieldValue,
          description: ticket.attributes._default_description_ as FieldValue,
          category: CATEGORY_TERM[type.category],
          ticket_type_id: ticket.typeId,
          contact_ids: ticket.contactIds,
          teammate_ids: [],
          admin_assignee_id: '0',
          team_assignee_id: '0',
          open: ticket.open,
          state: ws.stateOf(ticket).category,
          snoozed_until: null,
        }[field];
      },
      (field) =>
        TICKET_FIELDS.has(field) ||
        (field.startsWith('ticket_attribute.') &&
          attributeIds.has(field.slice('ticket_attribute.'.length))),
      20,
    );
    if (!result) return;
    res.json({
      type: 'ticket.list',
      tickets: result.slice.map((ticket) => serializeTicket(ws, ticket)),
      total_count: result.total,
      pages: result.pages,
    });
  });

  router.get('/tickets/:id', conforms('get', '/tickets/{ticket_id}'), (req, res) => {
    const ticket = ws.tickets.get(String(req.params.id));
    if (!ticket) return notFound(res);
    res.json(serializeTicket(ws, ticket));
  });

  router.put('/tickets/:id', conforms('put', '/tickets/{ticket_id}'), (req, res) => {
    const ticket = ws.tickets.get(String(req.params.id));
    if (!ticket) return notFound(res);
    const body = req.body as {
      ticket_attributes?: Record<string, unknown>;
      ticket_state_id?: string;
      open?: boolean;
      admin_id?: number;
    };
    const admin = body.admin_id === undefined ? undefined : ws.admins.get(String(body.admin_id));
    if (body.admin_id !== undefined && !admin)
      return fail(res, 404, { code: 'admin_not_found', message: 'Admin not found' });
    const type = ws.ticketTypes.get(ticket.typeId)!;
    const target =
      body.ticket_state_id === undefined
        ? undefined
        : type.states.find((s) => s.id === body.ticket_state_id);
    if (body.ticket_state_id !== undefined && !target)
      return fail(res, 400, {
        code: 'ticket_state_id_invalid',
        message: 'Ticket state is not valid for this ticket type',
      });
    if (body.ticket_attributes) {
      const unknown = unknownAttribute(ticket, body.ticket_attributes);
      if (unknown) return invalid(res, `${unknown} is not an attribute of this ticket type`);
      Object.assign(ticket.attributes, body.ticket_attributes);
    }
    if (body.open !== undefined) ticket.open = body.open;
    const previous = ws.stateOf(ticket);
    if (target && target.id !== previous.id) {
      ticket.stateId = target.id;
      const actor = admin ?? ws.agent();
      ws.addPart(ticket, {
        partType: 'ticket_state_updated_by_admin',
        body: null,
        author: { type: 'admin', id: actor.id, name: actor.name, email: actor.email },
        previousState: previous.category,
        state: target.category,
      });
      void emitter.emit('ticket.state.updated', serializeTicket(ws, ticket));
    }
    ticket.updatedAt = Math.max(ticket.updatedAt, Math.floor(Date.now() / 1000));
    res.json(serializeTicket(ws, ticket));
  });

  /** An admin comment or note, or a contact's comment; each notifies townhall. */
  router.post('/tickets/:id/reply', conforms('post', '/tickets/{ticket_id}/reply'), (req, res) => {
    const ticket = ws.tickets.get(String(req.params.id));
    if (!ticket) return notFound(res);
    const part = replyPart(res, ticket, req.body as Parameters<typeof replyPart>[2]);
    if (!part) return;
    // A contact's reply leaves the state alone here: only an explicit update reopens a ticket.
    const topic = partTopic('ticket', part);
    if (topic) void emitter.emit(topic, serializeTicket(ws, ticket));
    res.json(serializeTicketPart(part));
  });

  return router;
}
