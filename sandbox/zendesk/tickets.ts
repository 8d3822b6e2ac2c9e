import express from 'express';
import type { TicketChanges } from './changes.js';
import type { Json } from './http.js';
import {
  EMAIL,
  PRIORITIES,
  baseOf,
  blank,
  fail,
  intParam,
  isObject,
  notFound,
  paginate,
  recordInvalid,
  text,
} from './http.js';
import type { Desk, DeskUser } from './store.js';
import { renderBody, serializeComment, serializeTicket } from './store.js';
import type { ZendeskWebhooks } from './webhooks.js';

export interface TicketRouteOptions {
  desk: Desk;
  changes: TicketChanges;
  webhooks: ZendeskWebhooks;
  /** How long an Idempotency-Key is remembered; Zendesk keeps keys for two hours. */
  idempotencyTtlMs: number;
}

/**
 * Tickets: list, create (with Idempotency-Key, as Zendesk honours it), read, update (whose
 * changes are sent to townhall as webhooks), delete, and their comments.
 */
export function ticketRoutes(options: TicketRouteOptions) {
  const { desk, webhooks } = options;
  const { apply, statusProblem } = options.changes;
  const ttl = options.idempotencyTtlMs;
  const idempotency = new Map<string, { fingerprint: string; at: number; body: unknown }>();
  const api = express.Router();

  api.get('/tickets.json', (req, res) => {
    const externalId = text(req.query.external_id);
    const tickets = desk
      .liveTickets()
      .filter((ticket) => externalId === undefined || ticket.externalId === externalId)
      .sort((a, b) => a.id - b.id);
    res.json(paginate(req, tickets, 'tickets', (ticket) => serializeTicket(baseOf(req), ticket)));
  });

  api.post('/tickets.json', (req, res) => {
    const key = req.get('idempotency-key');
    const fingerprint = JSON.stringify(req.body ?? null);
    if (key) {
      const earlier = idempotency.get(key);
      if (earlier && Date.now() - earlier.at < ttl) {
        if (earlier.fingerprint !== fingerprint)
          // Wording approximate: Zendesk refuses a reused key with a different request.
          return fail(
            res,
            400,
            'IdempotentRequestError',
            'Request body does not match the original request for this Idempotency-Key',
          );
        res.status(201).setHeader('x-idempotency-lookup', 'hit');
        res.json(earlier.body);
        return;
      }
      res.setHeader('x-idempotency-lookup', 'miss');
    }

    const input = isObject(req.body) && isObject(req.body.ticket) ? req.body.ticket : {};
    const comment = isObject(input.comment) ? input.comment : {};
    const body = text(comment.body);
    const htmlBody = text(comment.html_body);
    const subject = text(input.subject)?.trim() ?? '';
    const base: Json[] = [];
    // The first comment is the ticket's description, and Zendesk requires it. This sandbox
    // account also has the Subject field required, as many accounts do (townhall always sets it).
    if (!(body ?? htmlBody ?? '').trim()) base.push(blank('Description'));
    if (!subject) base.push(blank('Subject'));
    const details: Json = base.length > 0 ? { base } : {};
    const priority = input.priority ?? null;
    if (priority !== null && (typeof priority !== 'string' || !PRIORITIES.includes(priority)))
      details.priority = [
        {
          description: `Priority: ${JSON.stringify(priority)} is not valid`,
          error: 'InvalidValue',
        },
      ];
    Object.assign(details, statusProblem(undefined, input.status) ?? {});

    let requester: DeskUser | undefined;
    if (input.requester_id !== undefined) {
      requester = desk.activeUsers().find((user) => user.id === Number(input.requester_id));
      if (!requester)
        details.requester = [{ description: 'Requester: is invalid', error: 'InvalidValue' }];
    } else if (isObject(input.requester)) {
      const email = text(input.requester.email)?.trim();
      if (!email || !EMAIL.test(email))
        details.requester = [
          { description: 'Requester: Email is not properly formatted', error: 'InvalidFormat' },
        ];
      else
        requester =
          desk.byEmail(email) ??
          desk.addUser({ name: text(input.requester.name) ?? email.split('@')[0]!, email });
    }
    if (Object.keys(details).length > 0) return recordInvalid(res, details);

    const submitter = desk.apiUser();
    const first = renderBody(htmlBody !== undefined ? { htmlBody } : { body: body ?? '' });
    const ticket = desk.addTicket({
      externalId: text(input.external_id) ?? null,
      subject,
      description: first.body,
      status: text(input.status) ?? 'new',
      priority: text(priority) ?? null,
      requesterId: (requester ?? submitter).id,
      submitterId: submitter.id,
      assigneeId: null,
      tags: Array.isArray(input.tags)
        ? [
            ...new Set(
              input.tags
                .filter((t): t is string => typeof t === 'string')
                .map((t) => t.toLowerCase().replace(/\s+/g, '_')),
            ),
          ]
        : [],
      channel: 'api',
    });
    // The submitter is the author of the first comment.
    const { audit } = apply(ticket, {
      comment: {
        ...(htmlBody !== undefined ? { htmlBody } : { body: body ?? '' }),
        public: comment.public !== false,
      },
      actor: submitter,
      channel: 'api',
    });
    audit.events.push({
      id: desk.newAuditId(),
      type: 'Create',
      field_name: 'status',
      value: ticket.status,
    });
    const answer = { ticket: serializeTicket(baseOf(req), ticket), audit };
    if (key) idempotency.set(key, { fingerprint, at: Date.now(), body: answer });
    res
      .status(201)
      .location(`${baseOf(req)}/api/v2/tickets/${ticket.id}.json`)
      .json(answer);
  });

  api.get('/tickets/:id.json', (req, res) => {
    const ticket = desk.liveTicket(intParam(req.params.id));
    if (!ticket) return notFound(res);
    res.json({ ticket: serializeTicket(baseOf(req), ticket) });
  });

  api.put('/tickets/:id.json', (req, res) => {
    const ticket = desk.liveTicket(intParam(req.params.id));
    if (!ticket) return notFound(res);
    if (ticket.status === 'closed')
      return recordInvalid(res, {
        status: [{ description: 'Status closed prevents ticket update' }],
      });
    const input = isObject(req.body) && isObject(req.body.ticket) ? req.body.ticket : {};
    const problem = statusProblem(ticket, input.status);
    if (problem) return recordInvalid(res, problem);
    if (
      input.priority !== undefined &&
      input.priority !== null &&
      (typeof input.priority !== 'string' || !PRIORITIES.includes(input.priority))
    )
      return recordInvalid(res, {
        priority: [
          {
            description: `Priority: ${JSON.stringify(input.priority)} is not valid`,
            error: 'InvalidValue',
          },
        ],
      });
    const comment = isObject(input.comment) ? input.comment : undefined;
    const body = text(comment?.body);
    const htmlBody = text(comment?.html_body);
    const author =
      comment?.author_id !== undefined ? desk.users.get(Number(comment.author_id)) : desk.apiUser();
    if (!author)
      return recordInvalid(res, {
        author_id: [{ description: 'Author: is invalid', error: 'InvalidValue' }],
      });

    // Valid: apply it all.
    if (input.priority !== undefined) ticket.priority = text(input.priority) ?? null;
    if (typeof input.subject === 'string' && input.subject.trim()) ticket.subject = input.subject;
    if (Array.isArray(input.tags))
      ticket.tags = input.tags.filter((t): t is string => typeof t === 'string');
    if (input.external_id !== undefined) ticket.externalId = text(input.external_id) ?? null;

    const { events, audit } = apply(ticket, {
      ...(typeof input.status === 'string' ? { status: input.status } : {}),
      ...((body ?? htmlBody ?? '').trim()
        ? {
            comment: {
              ...(htmlBody !== undefined ? { htmlBody } : { body: body ?? '' }),
              public: comment?.public !== false,
            },
          }
        : {}),
      actor: author,
      channel: 'api',
    });
    desk.touch(ticket);
    res.json({ ticket: serializeTicket(baseOf(req), ticket), audit });
    // Zendesk delivers webhooks asynchronously, after the update is committed.
    void webhooks.send(events);
  });

  api.delete('/tickets/:id.json', (req, res) => {
    const ticket = desk.liveTicket(intParam(req.params.id));
    if (!ticket) return notFound(res);
    ticket.deleted = true;
    res.status(204).end();
  });

  api.get('/tickets/:id/comments.json', (req, res) => {
    const ticket = desk.liveTicket(intParam(req.params.id));
    if (!ticket) return notFound(res);
    res.json(paginate(req, desk.commentsOf(ticket.id), 'comments', serializeComment));
  });

  return {
    router: api,
    reset() {
      idempotency.clear();
    },
  };
}
