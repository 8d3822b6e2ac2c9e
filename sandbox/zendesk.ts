import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import type { Faults } from './faults.js';
import type { Desk, DeskComment, DeskTicket, DeskUser } from './zendesk-store.js';
import {
  createDesk,
  renderBody,
  serializeComment,
  serializeTicket,
  serializeUser,
} from './zendesk-store.js';
import type { TicketEvent } from './zendesk-webhooks.js';
import {
  commentAddedEvent,
  createZendeskWebhooks,
  statusChangedEvent,
} from './zendesk-webhooks.js';

export interface ZendeskSandboxOptions {
  /** The API user: requests must authenticate as `{email}/token:{apiToken}`. */
  email: string;
  apiToken: string;
  /** Signs the ticket-event webhooks sent to townhall. */
  webhookSecret: string;
  faults: Faults;
  townhallUrl: () => string | undefined;
  /** How long an Idempotency-Key is remembered; Zendesk keeps keys for two hours. */
  idempotencyTtlMs?: number;
}

const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const intParam = (value: unknown) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;

/** Zendesk's error bodies: `{ error, description }`, plus `details` for validation errors. */
function fail(res: Response, status: number, error: string, description: string, details?: Json) {
  res.status(status).json({ error, description, ...(details ? { details } : {}) });
}
const notFound = (res: Response) => fail(res, 404, 'RecordNotFound', 'Not found');
const recordInvalid = (res: Response, details: Json) =>
  fail(res, 422, 'RecordInvalid', 'Record validation errors', details);
const blank = (field: 'Description' | 'Subject') => ({
  description: `${field}: cannot be blank`,
  error: 'BlankValue',
  ticket_field_type: `Field${field}`,
});

/** Bodies for the shared faults (POST /_sandbox/faults with vendor "zendesk"). */
function faultBody(status: number): unknown {
  if (status === 429)
    return {
      error: 'APIRateLimitExceeded',
      description: 'Number of allowed API requests per minute exceeded',
    };
  if (status === 503)
    return { error: 'ServiceUnavailable', description: 'Service temporarily unavailable' };
  if (status >= 500) return { error: 'InternalError', description: 'Internal server error' };
  return { error: 'Error', description: `HTTP ${status}` };
}

const baseOf = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}`;

/**
 * Cursor pagination when the client asks for it (`page[size]`, as node-zendesk does for ticket
 * lists), else offset pagination (`page`, `per_page`), with Zendesk's links and counts.
 */
function paginate<T>(req: Request, items: T[], key: string, render: (item: T) => unknown): Json {
  const url = new URL(req.originalUrl, baseOf(req));
  const size = Number(req.query['page[size]']);
  if (Number.isFinite(size) && size > 0) {
    const limit = Math.min(100, Math.floor(size));
    const after = text(req.query['page[after]']);
    const start = after ? Number(Buffer.from(after, 'base64url').toString()) || 0 : 0;
    const page = items.slice(start, start + limit);
    const hasMore = start + limit < items.length;
    const cursor = Buffer.from(String(start + limit)).toString('base64url');
    if (hasMore) url.searchParams.set('page[after]', cursor);
    return {
      [key]: page.map(render),
      meta: { has_more: hasMore, after_cursor: hasMore ? cursor : null, before_cursor: null },
      links: { prev: null, next: hasMore ? url.toString() : null },
    };
  }
  const perPage = Math.min(100, Number(req.query.per_page) || 100);
  const pageNumber = Math.max(1, Number(req.query.page) || 1);
  const page = items.slice((pageNumber - 1) * perPage, pageNumber * perPage);
  const link = (n: number) => {
    url.searchParams.set('page', String(n));
    return url.toString();
  };
  return {
    [key]: page.map(render),
    next_page: pageNumber * perPage < items.length ? link(pageNumber + 1) : null,
    previous_page: pageNumber > 1 ? link(pageNumber - 1) : null,
    count: items.length,
  };
}

/** `type:ticket external_id:abc status:open word`: the subset of Zendesk's search syntax used. */
function parseQuery(query: string) {
  const terms = new Map<string, string>();
  const words: string[] = [];
  for (const match of query.matchAll(/(\w+):("([^"]*)"|\S+)|("([^"]*)"|\S+)/g)) {
    if (match[1]) terms.set(match[1].toLowerCase(), match[3] ?? match[2]!);
    else words.push((match[5] ?? match[4]!).toLowerCase());
  }
  return { terms, words };
}

interface Change {
  status?: string;
  comment?: { body?: string; htmlBody?: string; public: boolean };
  /** Who makes the change (and writes the comment). */
  actor: DeskUser;
  channel: 'api' | 'web';
}

export function createZendeskSandbox(options: ZendeskSandboxOptions) {
  const desk: Desk = createDesk({ email: options.email });
  const webhooks = createZendeskWebhooks({
    secret: options.webhookSecret,
    townhallUrl: options.townhallUrl,
  });
  const ttl = options.idempotencyTtlMs ?? 2 * 60 * 60 * 1000;
  const idempotency = new Map<string, { fingerprint: string; at: number; body: unknown }>();
  /** Authenticated API requests as received (no credentials), for GET /_sandbox/zendesk/requests. */
  const requests: { method: string; url: string; idempotencyKey: string | null; body: unknown }[] =
    [];

  /** A status change and a comment, as one audit; the ticket events it causes. */
  function apply(ticket: DeskTicket, change: Change) {
    const auditId = desk.newAuditId();
    const events: TicketEvent[] = [];
    const auditEvents: Json[] = [];
    let comment: DeskComment | undefined;
    if (change.comment) {
      const rendered = renderBody(change.comment);
      comment = desk.addComment({
        ticketId: ticket.id,
        auditId,
        authorId: change.actor.id,
        ...rendered,
        public: change.comment.public,
        channel: change.channel,
      });
      auditEvents.push(serializeComment(comment));
    }
    if (change.status !== undefined && change.status !== ticket.status) {
      const previous = ticket.status;
      ticket.status = change.status;
      desk.touch(ticket);
      auditEvents.push({
        id: desk.newAuditId(),
        type: 'Change',
        field_name: 'status',
        value: ticket.status,
        previous_value: previous,
      });
      events.push(statusChangedEvent(ticket, previous, change.actor.id));
    }
    // Zendesk also sends ticket.comment_added for internal notes (is_public false); this
    // account's webhook forwards public comments only, which is all townhall passes on.
    if (comment?.public) events.push(commentAddedEvent(ticket, comment, change.actor));
    const audit = {
      id: auditId,
      ticket_id: ticket.id,
      created_at: comment?.createdAt ?? ticket.updatedAt,
      author_id: change.actor.id,
      metadata: { system: {}, custom: {} },
      events: auditEvents,
      via: { channel: change.channel, source: { from: {}, to: {}, rel: null } },
    };
    return { events, audit, comment };
  }

  /** Validates a ticket update's status; returns the details of a 422, if any. */
  function statusProblem(ticket: DeskTicket | undefined, status: unknown): Json | undefined {
    if (status === undefined) return undefined;
    if (typeof status !== 'string' || !STATUSES.includes(status))
      return {
        status: [
          { description: `Status: ${JSON.stringify(status)} is not valid`, error: 'InvalidValue' },
        ],
      };
    if (ticket && status === 'new' && ticket.status !== 'new')
      return {
        status: [{ description: 'Status: cannot be changed back to new', error: 'InvalidValue' }],
      };
    return undefined;
  }

  const router = express.Router();
  const api = express.Router();
  // The body is read before faults apply, so a request held by a `delayMs` fault still takes
  // effect after its client gave up, as a slow Zendesk would (a lost response, not a lost request).
  router.use('/api/v2', express.json({ limit: '1mb' }));
  router.use(
    '/api/v2',
    options.faults.middleware('zendesk', faultBody, { dropAfterHandling: true }),
  );
  router.use('/api/v2', (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Rate-Limit', '700');
    res.setHeader('X-Rate-Limit-Remaining', '699');
    // API token auth: Basic base64("{email}/token:{api token}").
    const match = /^Basic\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const separator = decoded.indexOf('/token:');
    const email = separator > 0 ? decoded.slice(0, separator) : '';
    const token = separator > 0 ? decoded.slice(separator + '/token:'.length) : '';
    if (email.toLowerCase() !== options.email.toLowerCase() || token !== options.apiToken) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Web Password"');
      res.status(401).json({ error: "Couldn't authenticate you" });
      return;
    }
    requests.push({
      method: req.method,
      url: req.originalUrl,
      idempotencyKey: req.get('idempotency-key') ?? null,
      body: (req.body as unknown) ?? null,
    });
    if (requests.length > 500) requests.splice(0, requests.length - 500);
    next();
  });
  router.use('/api/v2', api);

  // ---- Users

  api.get('/users/me.json', (req, res) => {
    res.json({ user: serializeUser(baseOf(req), desk.apiUser()) });
  });

  api.get('/users/search.json', (req, res) => {
    const externalId = text(req.query.external_id);
    const query = text(req.query.query)?.toLowerCase();
    const users = [...desk.users.values()].filter((user) =>
      externalId !== undefined
        ? user.externalId === externalId
        : query !== undefined &&
          (user.email === query ||
            user.externalId === query ||
            user.name.toLowerCase().includes(query)),
    );
    res.json(paginate(req, users, 'users', (user) => serializeUser(baseOf(req), user)));
  });

  api.get('/users/:id.json', (req, res) => {
    const user = desk.users.get(intParam(req.params.id));
    if (!user) return notFound(res);
    res.json({ user: serializeUser(baseOf(req), user) });
  });

  api.post('/users/create_or_update.json', (req, res) => {
    const input = isObject(req.body) && isObject(req.body.user) ? req.body.user : {};
    const name = text(input.name)?.trim();
    const email = text(input.email)?.trim();
    const externalId =
      text(input.external_id) ??
      (typeof input.external_id === 'number' ? String(input.external_id) : undefined);
    if (email !== undefined && !EMAIL.test(email))
      return recordInvalid(res, {
        email: [
          { description: `Email: ${email} is not properly formatted`, error: 'InvalidFormat' },
        ],
      });
    const existing =
      (externalId !== undefined ? desk.byExternalId(externalId) : undefined) ??
      (email !== undefined ? desk.byEmail(email) : undefined);
    if (existing) {
      if (name) existing.name = name;
      if (externalId !== undefined) existing.externalId = externalId;
      if (email !== undefined && !existing.email) existing.email = email.toLowerCase();
      existing.updatedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      res.status(200).json({ user: serializeUser(baseOf(req), existing) });
      return;
    }
    if (!name)
      return recordInvalid(res, {
        name: [
          { description: 'Name: is too short (minimum is 1 characters)', error: 'ValueTooShort' },
        ],
      });
    const user = desk.addUser({ name, email: email ?? null, externalId: externalId ?? null });
    res
      .status(201)
      .location(`${baseOf(req)}/api/v2/users/${user.id}.json`)
      .json({ user: serializeUser(baseOf(req), user) });
  });

  // ---- Tickets

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
      requester = desk.users.get(Number(input.requester_id));
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

  // ---- Search (an index: Zendesk's lags new records; this one does not)

  api.get('/search.json', (req, res) => {
    const query = text(req.query.query);
    if (!query) return fail(res, 400, 'InvalidSearchQuery', 'query is required');
    const { terms, words } = parseQuery(query);
    const type = terms.get('type') ?? 'ticket';
    const matchesWords = (haystack: string) =>
      words.every((word) => haystack.toLowerCase().includes(word));
    let results: Json[] = [];
    if (type === 'ticket') {
      const requester = terms.get('requester');
      results = desk
        .liveTickets()
        .filter(
          (ticket) =>
            (!terms.has('external_id') || ticket.externalId === terms.get('external_id')) &&
            (!terms.has('status') || ticket.status === terms.get('status')) &&
            (!terms.has('tags') || ticket.tags.includes(terms.get('tags')!)) &&
            (!requester || desk.users.get(ticket.requesterId)?.email === requester.toLowerCase()) &&
            matchesWords(`${ticket.subject} ${ticket.description}`),
        )
        .map((ticket) => ({ ...serializeTicket(baseOf(req), ticket), result_type: 'ticket' }));
    } else if (type === 'user') {
      results = [...desk.users.values()]
        .filter(
          (user) =>
            (!terms.has('email') || user.email === terms.get('email')!.toLowerCase()) &&
            (!terms.has('external_id') || user.externalId === terms.get('external_id')) &&
            matchesWords(`${user.name} ${user.email ?? ''}`),
        )
        .map((user) => ({ ...serializeUser(baseOf(req), user), result_type: 'user' }));
    }
    res.json({ ...paginate(req, results, 'results', (r) => r), facets: null });
  });

  api.use((_req, res) => {
    fail(res, 404, 'InvalidEndpoint', 'Not found');
  });
  api.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if ((error as { type?: string }).type !== 'entity.parse.failed') return next(error);
    fail(res, 400, 'InvalidJSON', 'The request body is not valid JSON');
  });

  // ---- Agent actions: what a support agent does in the Zendesk UI.

  async function agentUpdate(
    req: Request,
    res: Response,
    change: Omit<Change, 'channel' | 'actor'>,
  ) {
    const ticket = desk.liveTicket(intParam(req.params.id));
    if (!ticket) return notFound(res);
    if (ticket.status === 'closed')
      return recordInvalid(res, {
        status: [{ description: 'Status closed prevents ticket update' }],
      });
    const problem = statusProblem(ticket, change.status);
    if (problem) return recordInvalid(res, problem);
    const { events, comment } = apply(ticket, { ...change, actor: desk.agent(), channel: 'web' });
    const deliveries = await webhooks.send(events);
    res.json({
      ticket: serializeTicket(baseOf(req), ticket),
      comment: comment ? serializeComment(comment) : null,
      webhooks: deliveries.map(({ body: _body, ...delivery }) => delivery),
    });
  }

  const agentComment = (body: Json) => {
    const plain = text(body.body);
    const html = text(body.html);
    if (!(plain ?? html ?? '').trim()) return undefined;
    return {
      ...(html !== undefined ? { htmlBody: html } : { body: plain ?? '' }),
      public: body.public !== false,
    };
  };

  /** `{ body | html, public?, status? }`: a reply (public by default) or an internal note. */
  router.post('/_sandbox/zendesk/tickets/:id/reply', express.json(), async (req, res) => {
    const body = isObject(req.body) ? req.body : {};
    const comment = agentComment(body);
    if (!comment) return fail(res, 400, 'InvalidReply', 'body (or html) is required');
    await agentUpdate(req, res, {
      comment,
      ...(typeof body.status === 'string' ? { status: body.status } : {}),
    });
  });

  /** `{ body? }`: marks the ticket solved, with an optional public reply. */
  router.post('/_sandbox/zendesk/tickets/:id/solve', express.json(), async (req, res) => {
    const comment = agentComment(isObject(req.body) ? req.body : {});
    await agentUpdate(req, res, { status: 'solved', ...(comment ? { comment } : {}) });
  });

  // ---- Inspection

  router.get('/_sandbox/zendesk/tickets', (req, res) => {
    res.json(
      [...desk.tickets.values()].map((ticket) => ({
        ...serializeTicket(baseOf(req), ticket),
        deleted: ticket.deleted,
        comments: desk.commentsOf(ticket.id).map(serializeComment),
      })),
    );
  });

  router.get('/_sandbox/zendesk/users', (req, res) => {
    res.json([...desk.users.values()].map((user) => serializeUser(baseOf(req), user)));
  });

  router.get('/_sandbox/zendesk/requests', (_req, res) => {
    res.json(requests);
  });

  router.get('/_sandbox/zendesk/webhooks', (_req, res) => {
    res.json(webhooks.list());
  });

  /** Sends a logged delivery again: same event (same id), new signature and invocation id. */
  router.post('/_sandbox/zendesk/webhooks/:invocationId/redeliver', async (req, res) => {
    const delivery = await webhooks.redeliver(req.params.invocationId);
    if (!delivery) return notFound(res);
    const { body: _body, ...rest } = delivery;
    res.json(rest);
  });

  return {
    router,
    reset: () => {
      desk.reset();
      webhooks.reset();
      idempotency.clear();
      requests.length = 0;
    },
  };
}
