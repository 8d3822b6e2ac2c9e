import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import type { Faults } from './faults.js';
import type { Conforms } from './intercom-api.js';
import { fail, intercomApi } from './intercom-api.js';
import { createIntercomEmitter } from './intercom-emit.js';
import { serializeContact, serializeConversation, serializeTicket } from './intercom-serialize.js';
import type { IntercomSpec } from './intercom-spec.js';
import { loadIntercomSpec } from './intercom-spec.js';
import type { StateCategory } from './intercom-store.js';
import { createWorkspace } from './intercom-store.js';

export interface IntercomSandboxOptions {
  /** The one access token accepted; any other bearer token gets Intercom's 401. */
  accessToken: string;
  /** The app's client secret, which signs the webhooks (connectors.intercom.clientSecret). */
  clientSecret: string;
  faults: Faults;
  /** Where townhall listens (for webhooks). */
  townhallUrl: () => string | undefined;
  /** The OpenAPI description; defaults to sandbox/specs/intercom/api-2.14.openapi.yaml. */
  specPath?: string;
}

/** One API request as the emulator saw it, for GET /_sandbox/intercom/requests. */
export interface ReceivedRequest {
  method: string;
  path: string;
  version: string | null;
  /** The spec operation it matched, e.g. "post /tickets/search"; null when none was reached. */
  operation: string | null;
  /** Whether the body conforms to the 2.14 description; null when never checked. */
  valid: boolean | null;
  problems: string[];
  /** null while running, or when the connection was closed without an answer. */
  status: number | null;
}

/** The API paths this emulator owns, so its auth and faults touch no other vendor. */
const API_PATHS = ['/contacts', '/tickets', '/ticket_types', '/conversations', '/admins'];
/** The version the emulator implements (intercom-client 7's default). */
const SERVED_VERSION = '2.14';
/** Intercom's documented limit: 10,000 calls a minute per app, spread over 10-second windows. */
const WINDOW_LIMIT = 1_666;
const WINDOW_MS = 10_000;

function errorBody(status: number): unknown {
  const [code, message] =
    status === 429
      ? ['rate_limit_exceeded', 'Exceeded rate limit']
      : status === 401
        ? ['unauthorized', 'Access Token Invalid']
        : status === 404
          ? ['not_found', 'Resource Not Found']
          : status === 503
            ? ['service_unavailable', 'Service Unavailable']
            : status >= 500
              ? ['server_error', 'Server Error']
              : ['bad_request', 'Bad Request'];
  return { type: 'error.list', request_id: null, errors: [{ code, message }] };
}

export function createIntercomSandbox(options: IntercomSandboxOptions) {
  const ws = createWorkspace('th5andbx');
  const emitter = createIntercomEmitter({
    appId: ws.appId,
    clientSecret: options.clientSecret,
    townhallUrl: options.townhallUrl,
  });
  const received: ReceivedRequest[] = [];
  const window = { start: 0, count: 0 };

  // Loaded on the first Intercom request (parsing takes half a second), not at sandbox start.
  let spec: IntercomSpec | undefined;
  let specError: string | undefined;
  const specOrError = () => {
    if (!spec && !specError) {
      try {
        spec = loadIntercomSpec(options.specPath);
      } catch (error) {
        specError = (error as Error).message;
      }
    }
    return spec;
  };

  const entryOf = (res: Response) => res.locals.intercom as ReceivedRequest;

  /** Records the request; its status is filled in once answered. */
  const record: RequestHandler = (req, res, next) => {
    const entry: ReceivedRequest = {
      method: req.method,
      path: req.originalUrl.split('?')[0]!,
      version: req.get('intercom-version') ?? null,
      operation: null,
      valid: null,
      problems: [],
      status: null,
    };
    received.push(entry);
    res.locals.intercom = entry;
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    next();
  };

  /**
   * X-RateLimit-Limit/Remaining/Reset on every answer, as Intercom sends them; a 429 from the
   * faults API gets its Reset from the fault's Retry-After, so both headers agree.
   */
  const rateLimit: RequestHandler = (_req, res, next) => {
    const at = Date.now();
    if (at - window.start >= WINDOW_MS) {
      window.start = at - (at % WINDOW_MS);
      window.count = 0;
    }
    window.count++;
    const reset = Math.ceil((window.start + WINDOW_MS) / 1000);
    res.setHeader('X-RateLimit-Limit', String(WINDOW_LIMIT));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, WINDOW_LIMIT - window.count)));
    res.setHeader('X-RateLimit-Reset', String(reset));
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const wait = Number(res.getHeader('retry-after'));
      if (res.statusCode === 429) {
        res.setHeader('X-RateLimit-Remaining', '0');
        if (Number.isFinite(wait))
          res.setHeader('X-RateLimit-Reset', String(Math.ceil(Date.now() / 1000 + wait)));
      }
      return json(body);
    };
    if (window.count > WINDOW_LIMIT) {
      fail(res, 429, { code: 'rate_limit_exceeded', message: 'Exceeded rate limit' });
      return;
    }
    next();
  };

  /** Bearer token first, then the Intercom-Version header, as Intercom checks them. */
  const gate = (req: Request, res: Response, next: NextFunction) => {
    if (!specOrError())
      return fail(res, 500, { code: 'server_error', message: `sandbox: ${specError}` });
    if (req.get('authorization') !== `Bearer ${options.accessToken}`)
      return fail(res, 401, { code: 'unauthorized', message: 'Access Token Invalid' });
    // No header: the app's default version, which here is the one the emulator serves.
    const version = req.get('intercom-version') ?? SERVED_VERSION;
    if (!spec!.versions.includes(version) && version !== 'Unstable')
      return fail(res, 400, {
        code: 'intercom_version_invalid',
        message: 'The requested version could not be found',
      });
    if (version !== SERVED_VERSION)
      return fail(res, 400, {
        code: 'intercom_version_invalid',
        message: `The sandbox serves API version ${SERVED_VERSION} only`,
      });
    next();
  };

  /** Rejects a body the 2.14 description does not allow, the way Intercom does (400). */
  const conforms: Conforms = (method, template) => (req, res, next) => {
    const entry = entryOf(res);
    entry.operation = `${method} ${template}`;
    if (!spec!.has(method, template))
      return fail(res, 500, { code: 'server_error', message: `sandbox: no ${entry.operation}` });
    const problems = method === 'get' ? [] : spec!.check(method, template, req.body);
    entry.valid = problems.length === 0;
    entry.problems = problems.map((p) => p.message);
    if (problems.length === 0) return next();
    const missing = problems.some((p) => p.kind === 'missing');
    fail(res, 400, {
      code: missing ? 'parameter_not_found' : 'parameter_invalid',
      message: problems.map((p) => p.message).join('; '),
    });
  };

  const router = express.Router();
  router.use(API_PATHS, record, rateLimit);
  router.use(
    API_PATHS,
    // A dropped connection comes after the request took effect: the lost response.
    options.faults.middleware('intercom', errorBody, { dropAfterHandling: true }),
  );
  router.use(API_PATHS, express.json({ limit: '1mb' }), gate);
  router.use(intercomApi(ws, emitter, conforms));
  router.use(API_PATHS, (_req: Request, res: Response) => {
    fail(res, 404, { code: 'not_found', message: 'Resource Not Found' });
  });
  router.use(API_PATHS, (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    // body-parser: unreadable JSON is Intercom's 400.
    const status = (error as { status?: number }).status;
    if (status && status >= 400 && status < 500)
      return fail(res, 400, { code: 'parameter_invalid', message: 'Invalid JSON in the body' });
    next(error);
  });

  // Agent endpoints: what a teammate does in the Intercom inbox -------------------------------

  const agentReply = (kind: 'ticket' | 'conversation'): RequestHandler => {
    return async (req, res) => {
      const body = (req.body ?? {}) as { body?: unknown; message_type?: unknown };
      const text = typeof body.body === 'string' ? body.body : '';
      const messageType = body.message_type === 'note' ? 'note' : 'comment';
      if (!text.trim()) {
        res.status(400).json({ error: 'body must hold the reply, e.g. {"body":"<p>Fixed</p>"}' });
        return;
      }
      const id = String(req.params.id);
      const ticket = kind === 'ticket' ? ws.tickets.get(id) : undefined;
      const conversation = kind === 'conversation' ? ws.conversations.get(id) : undefined;
      const target = ticket ?? conversation;
      if (!target) {
        res.status(404).json({ error: `no ${kind} ${id}` });
        return;
      }
      const agent = ws.agent();
      const part = ws.addPart(target, {
        partType: messageType,
        body: text,
        author: { type: 'admin', id: agent.id, name: agent.name, email: agent.email },
      });
      // Notes are internal: Intercom sends no *.admin.replied for them.
      let delivery = null;
      if (messageType === 'comment' && ticket)
        delivery = await emitter.emit('ticket.admin.replied', serializeTicket(ws, ticket));
      if (messageType === 'comment' && conversation)
        delivery = await emitter.emit(
          'conversation.admin.replied',
          serializeConversation(ws, conversation),
        );
      res.json({ part: { id: part.id, part_type: part.partType }, delivery });
    };
  };

  router.post('/_sandbox/intercom/tickets/:id/reply', express.json(), agentReply('ticket'));
  router.post(
    '/_sandbox/intercom/conversations/:id/reply',
    express.json(),
    agentReply('conversation'),
  );

  /** Moves the ticket to its type's first state in a category and notifies townhall. */
  router.post('/_sandbox/intercom/tickets/:id/:action', express.json(), async (req, res) => {
    const categories: Record<string, StateCategory> = {
      resolve: 'resolved',
      reopen: 'in_progress',
      wait: 'waiting_on_customer',
    };
    const category = categories[String(req.params.action)];
    const ticket = ws.tickets.get(String(req.params.id));
    if (!category || !ticket) {
      res.status(404).json({ error: 'use POST /_sandbox/intercom/tickets/<id>/resolve' });
      return;
    }
    const previous = ws.stateOf(ticket);
    const target = ws.ticketTypes.get(ticket.typeId)!.states.find((s) => s.category === category)!;
    if (previous.id === target.id) {
      res.json({ ticket: serializeTicket(ws, ticket), delivery: null });
      return;
    }
    ticket.stateId = target.id;
    const agent = ws.agent();
    ws.addPart(ticket, {
      partType: 'ticket_state_updated_by_admin',
      body: null,
      author: { type: 'admin', id: agent.id, name: agent.name, email: agent.email },
      previousState: previous.category,
      state: target.category,
    });
    const delivery = await emitter.emit('ticket.state.updated', serializeTicket(ws, ticket));
    res.json({ ticket: serializeTicket(ws, ticket), delivery });
  });

  // Inspection and control ---------------------------------------------------------------------

  router.get('/_sandbox/intercom/tickets', (_req, res) => {
    res.json([...ws.tickets.values()].map((ticket) => serializeTicket(ws, ticket)));
  });
  router.get('/_sandbox/intercom/contacts', (_req, res) => {
    res.json([...ws.contacts.values()].map((contact) => serializeContact(ws, contact)));
  });
  router.get('/_sandbox/intercom/conversations', (_req, res) => {
    res.json([...ws.conversations.values()].map((c) => serializeConversation(ws, c)));
  });
  router.get('/_sandbox/intercom/requests', (_req, res) => {
    res.json(received);
  });
  router.get('/_sandbox/intercom/webhooks', (_req, res) => {
    res.json(emitter.deliveries);
  });
  router.post('/_sandbox/intercom/webhooks/:id/redeliver', async (req, res) => {
    const delivery = await emitter.redeliver(String(req.params.id));
    if (!delivery) res.status(404).json({ error: 'no such notification' });
    else res.json(delivery);
  });
  /** `{ "searchLagMs": 2000 }`: new records stay out of search results that long, as in Intercom. */
  router.post('/_sandbox/intercom/settings', express.json(), (req, res) => {
    const lag = (req.body as { searchLagMs?: unknown } | undefined)?.searchLagMs;
    if (typeof lag !== 'number' || !Number.isInteger(lag) || lag < 0 || lag > 600_000) {
      res.status(400).json({ error: 'searchLagMs must be a whole number of milliseconds' });
      return;
    }
    ws.settings.searchLagMs = lag;
    res.json(ws.settings);
  });

  return {
    router,
    reset() {
      ws.reset();
      emitter.reset();
      received.length = 0;
    },
  };
}
