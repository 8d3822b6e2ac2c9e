import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import type { ZendeskConfig } from '../../connectors/zendesk/config.js';
import type { Emulator, EmulatorContext, EmulatorDefinition } from '../emulator.js';
import { withDefaults } from '../emulator.js';
import { agentRoutes } from './agent.js';
import { ticketChanges } from './changes.js';
import { deletedUserRoutes } from './deleted-users.js';
import { baseOf, fail, faultBody, notFound } from './http.js';
import { searchRoutes } from './search.js';
import type { Desk } from './store.js';
import { createDesk, serializeComment, serializeTicket, serializeUser } from './store.js';
import { ticketRoutes } from './tickets.js';
import { userRoutes } from './users.js';
import type { ZendeskWebhooks } from './webhooks.js';
import { createZendeskWebhooks } from './webhooks.js';

export interface ZendeskEmulatorOptions {
  /** The API user: requests must authenticate as `{email}/token:{apiToken}`. */
  email: string;
  apiToken: string;
  /** Signs the ticket-event webhooks sent to townhall. */
  webhookSecret: string;
  /** How long an Idempotency-Key is remembered; Zendesk keeps keys for two hours. */
  idempotencyTtlMs: number;
}

/** The credentials config/examples/sandbox.yaml uses. */
export const ZENDESK_DEFAULTS = {
  email: 'townhall@sandbox.zendesk.test',
  apiToken: 'sandbox-zendesk-api-token',
  webhookSecret: 'sandbox-zendesk-webhook-secret',
  idempotencyTtlMs: 2 * 60 * 60 * 1000,
} as const;

type ApiRequest = { method: string; url: string; idempotencyKey: string | null; body: unknown };

/** /_sandbox/zendesk/...: the desk's tickets and users, API requests, webhook deliveries. */
function inspectionRoutes(desk: Desk, webhooks: ZendeskWebhooks, requests: ApiRequest[]) {
  const router = express.Router();

  router.get('/_sandbox/zendesk/tickets', (req, res) => {
    res.json(
      [...desk.tickets.values()].map((ticket) => ({
        ...serializeTicket(baseOf(req), ticket),
        deleted: ticket.deleted,
        comments: desk.commentsOf(ticket.id).map(serializeComment),
      })),
    );
  });

  /** Every user record the account holds: deleted ones (active: false) and tombstones too. */
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

  return router;
}

/**
 * Zendesk Support API v2 under /api/v2 (API token auth as one agent, Zendesk's error bodies and
 * pagination), ticket-event webhooks signed for townhall, and agent actions under /_sandbox.
 */
function createZendeskEmulator(
  given: Partial<ZendeskEmulatorOptions>,
  context: EmulatorContext,
): Emulator {
  const options = withDefaults<ZendeskEmulatorOptions>(ZENDESK_DEFAULTS, given);
  const desk: Desk = createDesk({ email: options.email });
  const webhooks = createZendeskWebhooks({
    secret: options.webhookSecret,
    townhallUrl: () => context.townhallUrl(),
  });
  const changes = ticketChanges(desk);
  const tickets = ticketRoutes({
    desk,
    changes,
    webhooks,
    idempotencyTtlMs: options.idempotencyTtlMs,
  });
  /** Authenticated API requests as received (no credentials), for GET /_sandbox/zendesk/requests. */
  const requests: ApiRequest[] = [];

  const router = express.Router();
  const api = express.Router();
  // The body is read before faults apply, so a request held by a `delayMs` fault still takes
  // effect after its client gave up, as a slow Zendesk would (a lost response, not a lost request).
  router.use('/api/v2', express.json({ limit: '1mb' }));
  router.use(
    '/api/v2',
    context.faults.middleware('zendesk', faultBody, { dropAfterHandling: true }),
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
  api.use(userRoutes(desk), deletedUserRoutes(desk), tickets.router, searchRoutes(desk));
  api.use((_req, res) => {
    fail(res, 404, 'InvalidEndpoint', 'Not found');
  });
  api.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if ((error as { type?: string }).type !== 'entity.parse.failed') return next(error);
    fail(res, 400, 'InvalidJSON', 'The request body is not valid JSON');
  });
  router.use(agentRoutes(desk, changes, webhooks));
  router.use(inspectionRoutes(desk, webhooks, requests));

  return {
    router,
    reset: () => {
      desk.reset();
      webhooks.reset();
      tickets.reset();
      requests.length = 0;
    },
  };
}

export const zendeskEmulator: EmulatorDefinition<ZendeskConfig, ZendeskEmulatorOptions> = {
  create: createZendeskEmulator,
  fromConfig(config) {
    return {
      email: config.email,
      apiToken: config.apiToken,
      webhookSecret: config.webhookSecret,
    };
  },
};
