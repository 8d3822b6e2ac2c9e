import type { Request, Response } from 'express';
import express from 'express';
import type { TicketChanges } from './changes.js';
import { PRIORITIES, STATUSES } from './changes.js';
import type { FieldError, Json } from './http.js';
import { EMAIL, intParam, invalid, isObject, missing, notFound, validationFailed } from './http.js';
import type { Desk, Person } from './store.js';
import { serializeConversation, serializeTicket } from './store.js';
import type { FreshdeskWebhooks } from './webhooks.js';

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Tickets under /api/v2: create, view, list, update, reply, notes, conversations. */
export function ticketRoutes(desk: Desk, changes: TicketChanges, webhooks: FreshdeskWebhooks) {
  const router = express.Router();
  const bodyOf = (req: Request): Json => (isObject(req.body) ? req.body : {});
  // Rule webhooks go out after the change is committed, asynchronously, as Freshdesk's do.
  const emit = (events: Parameters<FreshdeskWebhooks['send']>[0]) => void webhooks.send(events);

  /** The requester a create names: by id, email (found or made) or unique_external_id. */
  function requesterFor(body: Json, errors: FieldError[]): Person | undefined {
    const name = text(body.name);
    if (body.requester_id !== undefined) {
      const person = desk.people.get(Number(body.requester_id));
      if (!person || person.deleted)
        errors.push(invalid('requester_id', 'There is no contact matching the given requester_id'));
      return person;
    }
    const email = text(body.email);
    if (email !== undefined) {
      if (!EMAIL.test(email)) {
        errors.push(invalid('email', "It should be in the 'valid email address' format"));
        return undefined;
      }
      return (
        desk.byEmail(email) ??
        desk.addPerson({
          name: name ?? email.split('@')[0]!,
          email,
          uniqueExternalId: null,
          agent: false,
        })
      );
    }
    const external = text(body.unique_external_id);
    if (external !== undefined)
      return (
        desk.byExternalId(external) ??
        desk.addPerson({
          name: name ?? external,
          email: null,
          uniqueExternalId: external,
          agent: false,
        })
      );
    errors.push({
      field: 'requester_id',
      message:
        'Please fill at least 1 of requester_id, phone, email, twitter_id, facebook_id, unique_external_id fields',
      code: 'missing_field',
    });
    return undefined;
  }

  function checkStatus(body: Json, errors: FieldError[]) {
    if (body.status !== undefined && !STATUSES.includes(body.status as number))
      errors.push(invalid('status', "It should be one of these values: '2,3,4,5'"));
    if (body.priority !== undefined && !PRIORITIES.includes(body.priority as number))
      errors.push(invalid('priority', "It should be one of these values: '1,2,3,4'"));
  }

  router.post('/tickets', (req, res) => {
    const body = bodyOf(req);
    const errors: FieldError[] = [];
    if (!text(body.subject)?.trim()) errors.push(missing('subject'));
    if (!text(body.description)?.trim()) errors.push(missing('description'));
    checkStatus(body, errors);
    const custom = isObject(body.custom_fields) ? body.custom_fields : {};
    for (const field of Object.keys(custom))
      if (!desk.customFields.has(field))
        errors.push({
          field,
          message: 'Unexpected/invalid field in request',
          code: 'invalid_field',
        });
    const tags = Array.isArray(body.tags) ? body.tags.filter((t) => typeof t === 'string') : [];
    // The requester last: a refused create must not leave a contact behind.
    const requester = errors.length === 0 ? requesterFor(body, errors) : undefined;
    if (errors.length > 0 || !requester) return validationFailed(res, errors);
    const ticket = desk.addTicket({
      subject: text(body.subject)!,
      description: text(body.description)!,
      status: typeof body.status === 'number' ? body.status : 2,
      priority: typeof body.priority === 'number' ? body.priority : 1,
      source: typeof body.source === 'number' ? body.source : 2,
      requesterId: requester.id,
      tags,
      customFields: { ...custom },
    });
    res.status(201).json(serializeTicket(ticket));
  });

  /** List All Tickets: by requester (email or id), newest first unless asked otherwise. */
  router.get('/tickets', (req, res) => {
    const email = text(req.query.email);
    const requesterId = text(req.query.requester_id);
    const person = email ? desk.byEmail(email) : undefined;
    const order = req.query.order_type === 'asc' ? 1 : -1;
    const perPage = Math.min(100, Number(req.query.per_page) || 30);
    const page = Math.max(1, Number(req.query.page) || 1);
    const tickets = [...desk.tickets.values()]
      .filter((t) => (email ? t.requesterId === person?.id : true))
      .filter((t) => (requesterId ? String(t.requesterId) === requesterId : true))
      .sort((a, b) => order * (a.createdAt.localeCompare(b.createdAt) || a.id - b.id));
    res.json(tickets.slice((page - 1) * perPage, page * perPage).map(serializeTicket));
  });

  router.get('/tickets/:id', (req, res) => {
    const ticket = desk.tickets.get(intParam(req.params.id));
    if (!ticket) return notFound(res);
    res.json(serializeTicket(ticket));
  });

  router.put('/tickets/:id', (req, res) => {
    const ticket = desk.tickets.get(intParam(req.params.id));
    if (!ticket) return notFound(res);
    const body = bodyOf(req);
    const errors: FieldError[] = [];
    checkStatus(body, errors);
    if (errors.length > 0) return validationFailed(res, errors);
    if (typeof body.priority === 'number') ticket.priority = body.priority;
    const events = typeof body.status === 'number' ? changes.setStatus(ticket, body.status) : [];
    desk.touch(ticket);
    emit(events);
    res.json(serializeTicket(ticket));
  });

  /** Reply: always public, as the API key's agent. */
  router.post('/tickets/:id/reply', (req, res) => {
    const ticket = desk.tickets.get(intParam(req.params.id));
    if (!ticket) return notFound(res);
    const body = text(bodyOf(req).body);
    if (!body?.trim()) return validationFailed(res, [missing('body')]);
    const { conversation, events } = changes.converse(ticket, desk.apiAgent(), {
      body,
      private: false,
      incoming: false,
      source: 0,
    });
    emit(events);
    res.status(201).json(serializeConversation(conversation));
  });

  /** Note: private unless `private: false`; `incoming` with `user_id` is that person's message. */
  router.post('/tickets/:id/notes', (req, res) => {
    const ticket = desk.tickets.get(intParam(req.params.id));
    if (!ticket) return notFound(res);
    const body = bodyOf(req);
    const errors: FieldError[] = [];
    if (!text(body.body)?.trim()) errors.push(missing('body'));
    if (body.private !== undefined && typeof body.private !== 'boolean')
      errors.push(invalid('private', 'It should be a/an Boolean'));
    const author =
      body.user_id !== undefined ? desk.people.get(Number(body.user_id)) : desk.apiAgent();
    if (!author || author.deleted)
      errors.push(invalid('user_id', 'There is no user matching the given user_id'));
    if (errors.length > 0 || !author) return validationFailed(res, errors);
    const { conversation, events } = changes.converse(ticket, author, {
      body: text(body.body)!,
      private: body.private !== false,
      incoming: body.incoming === true,
      source: 2,
    });
    emit(events);
    res.status(201).json(serializeConversation(conversation));
  });

  router.get('/tickets/:id/conversations', (req: Request, res: Response) => {
    const ticket = desk.tickets.get(intParam(req.params.id));
    if (!ticket) return notFound(res);
    res.json(desk.conversationsOf(ticket.id).map(serializeConversation));
  });

  return router;
}
