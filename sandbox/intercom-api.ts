import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import express from 'express';
import type { IntercomEmitter } from './intercom-emit.js';
import type { FieldValue } from './intercom-search.js';
import { SearchError, compileQuery, page } from './intercom-search.js';
import type { Method } from './intercom-spec.js';
import type { Contact, Conversation, Part, Ticket, Workspace } from './intercom-store.js';
import {
  serializeContact,
  serializeConversation,
  serializeMessage,
  serializeTicket,
  serializeTicketPart,
  serializeTicketType,
} from './intercom-serialize.js';

export interface ApiError {
  code: string;
  message: string;
  field?: string;
}

/** Every Intercom failure: `{ type: 'error.list', request_id, errors: [{ code, message }] }`. */
export function fail(res: Response, status: number, ...errors: ApiError[]): void {
  res.status(status).json({ type: 'error.list', request_id: randomUUID(), errors });
}
const notFound = (res: Response, message = 'Resource Not Found') =>
  fail(res, 404, { code: 'not_found', message });
const invalid = (res: Response, message: string, field?: string) =>
  fail(res, 400, { code: 'parameter_invalid', message, ...(field ? { field } : {}) });

/** A route's spec check: the operation as the description names it (method + path template). */
export type Conforms = (method: Method, template: string) => RequestHandler;

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const lower = (value: string | null | undefined) => value?.toLowerCase() ?? null;
const searchable = <T extends { searchableAt: number }>(records: Iterable<T>) =>
  [...records].filter((record) => record.searchableAt <= Date.now());

const CONTACT_FIELDS = new Set([
  'id',
  'email',
  'external_id',
  'role',
  'name',
  'created_at',
  'updated_at',
]);
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
const CONVERSATION_FIELDS = new Set([
  'id',
  'created_at',
  'updated_at',
  'source.body',
  'contact_ids',
  'open',
  'state',
]);
/** Ticket categories are searched by these terms, not by their names. */
const CATEGORY_TERM = { Customer: 'request', 'Back-office': 'task', Tracker: 'tracker' } as const;

export function intercomApi(ws: Workspace, emitter: IntercomEmitter, conforms: Conforms) {
  const router = express.Router();

  function contactRef(ref: { id?: string; external_id?: string; email?: string }) {
    const all = [...ws.contacts.values()];
    if (ref.id !== undefined) return ws.contacts.get(ref.id);
    if (ref.external_id !== undefined) return all.find((c) => c.externalId === ref.external_id);
    return all.find((c) => lower(c.email) === lower(ref.email));
  }

  /** Runs a search body against records; answers 400 for fields the object does not have. */
  function search<T>(
    req: Request,
    res: Response,
    records: T[],
    read: (record: T, field: string) => FieldValue,
    known: (field: string) => boolean,
    defaultPerPage: number,
  ) {
    const body = req.body as { query: unknown; pagination?: unknown };
    try {
      const matches = compileQuery(body.query, read, known);
      return page(records.filter(matches), body.pagination, defaultPerPage);
    } catch (error) {
      if (!(error instanceof SearchError)) throw error;
      fail(res, 400, { code: error.code, message: error.message });
      return undefined;
    }
  }

  router.get('/admins', conforms('get', '/admins'), (_req, res) => {
    res.json({
      type: 'admin.list',
      admins: [...ws.admins.values()].map((admin) => ({
        type: 'admin',
        ...admin,
        job_title: '',
        away_mode_enabled: false,
        away_mode_reassign: false,
        has_inbox_seat: true,
        team_ids: [],
        avatar: null,
      })),
    });
  });

  // Contacts -----------------------------------------------------------------------------------

  router.post('/contacts', conforms('post', '/contacts'), (req, res) => {
    const body = req.body as { role?: string; email?: string; external_id?: string; name?: string };
    const role = body.role ?? 'user';
    if (role !== 'user' && role !== 'lead')
      return invalid(res, 'role must be user or lead', 'role');
    if (body.email !== undefined && !EMAIL.test(body.email))
      return invalid(res, 'Invalid email address', 'email');
    // Users are unique by email and by external id (leads may share an email).
    const taken = [...ws.contacts.values()].find(
      (c) =>
        (body.external_id !== undefined && c.externalId === body.external_id) ||
        (role === 'user' &&
          c.role === 'user' &&
          body.email !== undefined &&
          lower(c.email) === lower(body.email)),
    );
    if (taken)
      return fail(res, 409, {
        code: 'conflict',
        message: `A contact matching those details already exists with id=${taken.id}`,
      });
    const contact = ws.addContact({
      role,
      email: body.email ?? null,
      externalId: body.external_id ?? null,
      name: body.name ?? null,
    });
    res.json(serializeContact(ws, contact));
  });

  router.post('/contacts/search', conforms('post', '/contacts/search'), (req, res) => {
    const result = search<Contact>(
      req,
      res,
      searchable(ws.contacts.values()),
      (contact, field) =>
        ({
          id: contact.id,
          email: contact.email,
          external_id: contact.externalId,
          role: contact.role,
          name: contact.name,
          created_at: contact.createdAt,
          updated_at: contact.updatedAt,
        })[field],
      (field) => CONTACT_FIELDS.has(field),
      50,
    );
    if (!result) return;
    res.json({
      type: 'list',
      data: result.slice.map((contact) => serializeContact(ws, contact)),
      total_count: result.total,
      pages: result.pages,
    });
  });

  // Ticket types -------------------------------------------------------------------------------

  router.get('/ticket_types', conforms('get', '/ticket_types'), (_req, res) => {
    res.json({
      type: 'list',
      data: [...ws.ticketTypes.values()].map((type) => serializeTicketType(ws, type)),
    });
  });

  router.get('/ticket_types/:id', conforms('get', '/ticket_types/{ticket_type_id}'), (req, res) => {
    const type = ws.ticketTypes.get(String(req.params.id));
    if (!type) return notFound(res, 'Ticket type not found');
    res.json(serializeTicketType(ws, type));
  });

  router.post(
    '/ticket_types/:id/attributes',
    conforms('post', '/ticket_types/{ticket_type_id}/attributes'),
    (req, res) => {
      const type = ws.ticketTypes.get(String(req.params.id));
      if (!type) return notFound(res, 'Ticket type not found');
      const body = req.body as {
        name: string;
        description: string;
        data_type: string;
        required_to_create?: boolean;
        visible_on_create?: boolean;
        visible_to_contacts?: boolean;
      };
      if (type.attributes.some((a) => a.name === body.name))
        return invalid(res, 'Name has already been taken', 'name');
      const attribute = ws.addAttribute(type, {
        name: body.name,
        description: body.description,
        dataType: body.data_type,
        requiredToCreate: body.required_to_create ?? false,
        visibleOnCreate: body.visible_on_create ?? true,
        visibleToContacts: body.visible_to_contacts ?? true,
        isDefault: false,
      });
      const serialized = serializeTicketType(ws, type).ticket_type_attributes.data;
      res.json(serialized.find((a) => a.id === attribute.id));
    },
  );

  // Tickets ------------------------------------------------------------------------------------

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

  /** An admin comment or note, or a contact's comment, on a ticket or a conversation. */
  function replyPart(
    res: Response,
    target: Ticket | Conversation,
    body: {
      type: 'admin' | 'user';
      message_type: string;
      body?: string;
      admin_id?: string;
      intercom_user_id?: string;
      user_id?: string;
      email?: string;
    },
  ): Part | undefined {
    if (body.type === 'admin') {
      const admin = ws.admins.get(String(body.admin_id));
      if (!admin) {
        fail(res, 404, { code: 'admin_not_found', message: 'Admin not found' });
        return undefined;
      }
      if (body.message_type !== 'quick_reply' && !body.body?.trim()) {
        fail(res, 400, { code: 'parameter_not_found', message: 'Body is required' });
        return undefined;
      }
      return ws.addPart(target, {
        partType: body.message_type,
        body: body.body ?? null,
        author: { type: 'admin', id: admin.id, name: admin.name, email: admin.email },
      });
    }
    const contact = contactRef(
      body.intercom_user_id !== undefined
        ? { id: body.intercom_user_id }
        : body.user_id !== undefined
          ? { external_id: body.user_id }
          : { email: body.email ?? '' },
    );
    if (!contact) {
      notFound(res, 'User Not Found');
      return undefined;
    }
    return ws.addPart(target, {
      partType: 'comment',
      body: body.body ?? null,
      author: { type: 'user', id: contact.id, name: contact.name, email: contact.email ?? '' },
    });
  }

  router.post('/tickets/:id/reply', conforms('post', '/tickets/{ticket_id}/reply'), (req, res) => {
    const ticket = ws.tickets.get(String(req.params.id));
    if (!ticket) return notFound(res);
    const part = replyPart(res, ticket, req.body as Parameters<typeof replyPart>[2]);
    if (!part) return;
    if (part.author.type === 'admin' && part.partType === 'comment')
      void emitter.emit('ticket.admin.replied', serializeTicket(ws, ticket));
    res.json(serializeTicketPart(part));
  });

  // Conversations ------------------------------------------------------------------------------

  router.post('/conversations', conforms('post', '/conversations'), (req, res) => {
    const body = req.body as { from: { type: string; id: string }; body: string };
    const contact = ws.contacts.get(body.from.id);
    if (!contact || (body.from.type !== 'contact' && body.from.type !== contact.role))
      return notFound(res, 'User Not Found');
    const conversation = ws.addConversation({ contact, body: body.body });
    res.json(serializeMessage(conversation));
  });

  router.post('/conversations/search', conforms('post', '/conversations/search'), (req, res) => {
    const result = search<Conversation>(
      req,
      res,
      searchable(ws.conversations.values()),
      (conversation, field) =>
        ({
          id: conversation.id,
          created_at: conversation.createdAt,
          updated_at: conversation.updatedAt,
          'source.body': { words: conversation.body },
          contact_ids: [conversation.contactId],
          open: conversation.open,
          state: conversation.open ? 'open' : 'closed',
        })[field],
      (field) => CONVERSATION_FIELDS.has(field),
      20,
    );
    if (!result) return;
    res.json({
      type: 'conversation.list',
      conversations: result.slice.map((c) => serializeConversation(ws, c)),
      total_count: result.total,
      pages: result.pages,
    });
  });

  router.get(
    '/conversations/:id',
    conforms('get', '/conversations/{conversation_id}'),
    (req, res) => {
      const conversation = ws.conversations.get(String(req.params.id));
      if (!conversation) return notFound(res);
      res.json(serializeConversation(ws, conversation));
    },
  );

  router.post(
    '/conversations/:id/reply',
    conforms('post', '/conversations/{conversation_id}/reply'),
    (req, res) => {
      const conversation = ws.conversations.get(String(req.params.id));
      if (!conversation) return notFound(res);
      const part = replyPart(res, conversation, req.body as Parameters<typeof replyPart>[2]);
      if (!part) return;
      if (part.author.type === 'admin' && part.partType === 'comment')
        void emitter.emit('conversation.admin.replied', serializeConversation(ws, conversation));
      res.json(serializeConversation(ws, conversation));
    },
  );

  return router;
}
