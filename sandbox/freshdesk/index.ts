import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import type { FreshdeskConfig } from '../../connectors/freshdesk/config.js';
import type { Emulator, EmulatorContext, EmulatorDefinition } from '../emulator.js';
import { withDefaults } from '../emulator.js';
import { agentRoutes } from './agent.js';
import { ticketChanges } from './changes.js';
import { contactRoutes } from './contacts.js';
import { faultBody, intParam, notFound } from './http.js';
import { searchRoutes } from './search.js';
import type { Desk } from './store.js';
import {
  createDesk,
  htmlToText,
  serializeContact,
  serializeConversation,
  serializeTicket,
} from './store.js';
import { ticketRoutes } from './tickets.js';
import type { FreshdeskWebhooks } from './webhooks.js';
import { createFreshdeskWebhooks } from './webhooks.js';

export interface FreshdeskEmulatorOptions {
  /** Requests must authenticate as Basic `<apiKey>:<anything>`. */
  apiKey: string;
  /** Sent in X-Townhall-Secret with every rule webhook. */
  webhookSecret: string;
  /** The custom ticket field the account has for townhall's ids. */
  externalIdField: string;
  /** How far the search index trails writes; Freshdesk's is minutes, the sandbox's none. */
  searchIndexDelayMs: number;
  /** X-RateLimit-Total: calls a minute (Enterprise's 700). */
  rateLimitPerMinute: number;
}

/** The credentials config/examples/sandbox.yaml would use. */
export const FRESHDESK_DEFAULTS = {
  apiKey: 'sandbox-freshdesk-api-key',
  webhookSecret: 'sandbox-freshdesk-webhook-secret',
  externalIdField: 'cf_townhall_external_id',
  searchIndexDelayMs: 0,
  rateLimitPerMinute: 700,
} as const;

/**
 * Where the account lives on the sandbox's port: Zendesk's emulator already answers /api/v2 there,
 * so a config points baseUrl at `<sandbox>/freshdesk` (the API is `<baseUrl>/api/v2`, the portal
 * `<baseUrl>/support/...`), as a host of its own would be.
 */
export const FRESHDESK_SANDBOX_PATH = '/freshdesk';
const API = `${FRESHDESK_SANDBOX_PATH}/api/v2`;

/** The API key's agent: the one townhall works as. */
const API_AGENT_EMAIL = 'townhall@sandbox.freshdesk.test';

type ApiRequest = { method: string; url: string; body: unknown };

/** /_sandbox/freshdesk/...: tickets with their conversations, people, requests, deliveries. */
function inspectionRoutes(desk: Desk, webhooks: FreshdeskWebhooks, requests: ApiRequest[]) {
  const router = express.Router();
  router.get('/_sandbox/freshdesk/tickets', (_req, res) => {
    res.json(
      [...desk.tickets.values()].map((ticket) => ({
        ...serializeTicket(ticket),
        conversations: desk.conversationsOf(ticket.id).map(serializeConversation),
      })),
    );
  });
  /** Every person: contacts (soft-deleted ones marked) and agents (`agent: true`). */
  router.get('/_sandbox/freshdesk/contacts', (_req, res) => {
    res.json([...desk.people.values()].map((p) => ({ ...serializeContact(p), agent: p.agent })));
  });
  router.get('/_sandbox/freshdesk/requests', (_req, res) => {
    res.json(requests);
  });
  router.get('/_sandbox/freshdesk/webhooks', (_req, res) => {
    res.json(webhooks.list());
  });
  router.post('/_sandbox/freshdesk/webhooks/:deliveryId/redeliver', async (req, res) => {
    const delivery = await webhooks.redeliver(req.params.deliveryId);
    if (!delivery) return notFound(res);
    const { body: _body, ...rest } = delivery;
    res.json(rest);
  });
  /** The requester's portal page (CreatedTicket.url), bare. */
  router.get(`${FRESHDESK_SANDBOX_PATH}/support/tickets/:id`, (req, res) => {
    const ticket = desk.tickets.get(intParam(req.params.id));
    if (!ticket) return notFound(res);
    res
      .type('text/plain')
      .send(`#${ticket.id} ${ticket.subject}\n\n${htmlToText(ticket.description)}\n`);
  });
  return router;
}

/** X-RateLimit-* on every answer, over a one-minute window; a 429 always says when to retry. */
function rateLimitHeaders(perMinute: number) {
  let windowStart = Date.now();
  let used = 0;
  return (_req: Request, res: Response, next: NextFunction) => {
    if (Date.now() - windowStart >= 60_000) {
      windowStart = Date.now();
      used = 0;
    }
    used += 1;
    res.setHeader('X-RateLimit-Total', String(perMinute));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, perMinute - used)));
    res.setHeader('X-RateLimit-Used-CurrentRequest', '1');
    const status = res.status.bind(res);
    res.status = (code: number) => {
      if (code === 429 && !res.getHeader('Retry-After'))
        res.setHeader('Retry-After', String(Math.ceil((windowStart + 60_000 - Date.now()) / 1000)));
      return status(code);
    };
    next();
  };
}

/**
 * Freshdesk API v2 under /freshdesk/api/v2 (API-key basic auth, Freshdesk's error bodies and rate-limit
 * headers), automation-rule webhooks to townhall, and agent actions under /_sandbox.
 */
function createFreshdeskEmulator(
  given: Partial<FreshdeskEmulatorOptions>,
  context: EmulatorContext,
): Emulator {
  const options = withDefaults<FreshdeskEmulatorOptions>(FRESHDESK_DEFAULTS, given);
  const desk = createDesk({
    apiAgentEmail: API_AGENT_EMAIL,
    customFields: [options.externalIdField],
  });
  const webhooks = createFreshdeskWebhooks({
    secret: options.webhookSecret,
    townhallUrl: () => context.townhallUrl(),
  });
  const changes = ticketChanges(desk, options.externalIdField);
  const requests: ApiRequest[] = [];

  const router = express.Router();
  const api = express.Router();
  router.use(API, rateLimitHeaders(options.rateLimitPerMinute));
  // The body is read before faults apply: a dropped answer is a lost response, not a lost request.
  router.use(API, express.json({ limit: '1mb' }));
  router.use(API, context.faults.middleware('freshdesk', faultBody, { dropAfterHandling: true }));
  router.use(API, (req: Request, res: Response, next: NextFunction) => {
    // Basic base64("<api key>:X"): the password is ignored.
    const match = /^Basic\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const key = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
    if (key !== options.apiKey) {
      res.status(401).json({
        code: 'invalid_credentials',
        message: 'You have to be logged in to perform this action.',
      });
      return;
    }
    requests.push({
      method: req.method,
      url: req.originalUrl,
      body: (req.body as unknown) ?? null,
    });
    if (requests.length > 500) requests.splice(0, requests.length - 500);
    next();
  });
  router.use(API, api);
  api.use(
    ticketRoutes(desk, changes, webhooks),
    searchRoutes(desk, { indexDelayMs: () => options.searchIndexDelayMs }),
    contactRoutes(desk),
  );
  api.use((_req, res) => {
    res.status(404).json({ code: 'invalid_url', message: 'The URL is not valid' });
  });
  api.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if ((error as { type?: string }).type !== 'entity.parse.failed') return next(error);
    res.status(400).json({
      description: 'Validation failed',
      errors: [{ field: 'body', message: 'Invalid JSON', code: 'invalid_json' }],
    });
  });
  router.use(agentRoutes(desk, changes, webhooks));
  router.use(inspectionRoutes(desk, webhooks, requests));

  return {
    router,
    reset: () => {
      desk.reset();
      webhooks.reset();
      requests.length = 0;
    },
  };
}

export const freshdeskEmulator: EmulatorDefinition<FreshdeskConfig, FreshdeskEmulatorOptions> = {
  create: createFreshdeskEmulator,
  fromConfig(config) {
    return {
      apiKey: config.apiKey,
      webhookSecret: config.webhookSecret,
      externalIdField: config.externalIdField,
    };
  },
};
