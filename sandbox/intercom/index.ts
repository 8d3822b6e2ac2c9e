import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import type { IntercomConfig } from '../../connectors/intercom/config.js';
import type { Emulator, EmulatorContext, EmulatorDefinition } from '../emulator.js';
import { agentRoutes } from './agent.js';
import { intercomApi } from './api.js';
import type { IntercomEmitter } from './emit.js';
import { createIntercomEmitter } from './emit.js';
import { errorBody, fail } from './errors.js';
import type { ReceivedRequest } from './gate.js';
import { createApiGate } from './gate.js';
import { serializeContact, serializeConversation, serializeTicket } from './serialize.js';
import type { Workspace } from './store.js';
import { createWorkspace } from './store.js';

export type { ReceivedRequest } from './gate.js';

export interface IntercomEmulatorOptions {
  /** The one access token accepted; any other bearer token gets Intercom's 401. */
  accessToken: string;
  /** The app's client secret, which signs the webhooks (connectors.intercom.clientSecret). */
  clientSecret: string;
  /** The OpenAPI description; defaults to sandbox/specs/intercom/api-2.14.openapi.yaml. */
  specPath: string;
}

/** The credentials config/examples/sandbox.yaml uses. */
export const INTERCOM_DEFAULTS = {
  accessToken: 'sandbox-intercom-access-token',
  clientSecret: 'sandbox-intercom-client-secret',
} as const;

/** The API paths this emulator owns, so its auth and faults touch no other vendor. */
const API_PATHS = ['/contacts', '/tickets', '/ticket_types', '/conversations', '/admins'];

/** /_sandbox/intercom/...: what townhall did, webhook redelivery, and search lag. */
function inspectionRoutes(
  ws: Workspace,
  emitter: IntercomEmitter,
  received: readonly ReceivedRequest[],
) {
  const router = express.Router();
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

  return router;
}

/**
 * Intercom REST API 2.14 (contacts, ticket types, tickets, conversations) checked against the
 * official description, signed webhooks for what agents do, and /_sandbox/intercom/... routes.
 */
function createIntercomEmulator(
  options: Partial<IntercomEmulatorOptions>,
  context: EmulatorContext,
): Emulator {
  const ws = createWorkspace('th5andbx');
  const emitter = createIntercomEmitter({
    appId: ws.appId,
    clientSecret: options.clientSecret ?? INTERCOM_DEFAULTS.clientSecret,
    townhallUrl: () => context.townhallUrl(),
  });
  const api = createApiGate({
    accessToken: options.accessToken ?? INTERCOM_DEFAULTS.accessToken,
    ...(options.specPath ? { specPath: options.specPath } : {}),
  });

  const router = express.Router();
  router.use(API_PATHS, api.record, api.rateLimit);
  router.use(
    API_PATHS,
    // A dropped connection comes after the request took effect: the lost response.
    context.faults.middleware('intercom', errorBody, { dropAfterHandling: true }),
  );
  router.use(API_PATHS, express.json({ limit: '1mb' }), api.gate);
  router.use(intercomApi(ws, emitter, api.conforms));
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
  router.use(agentRoutes(ws, emitter));
  router.use(inspectionRoutes(ws, emitter, api.received));

  return {
    router,
    reset() {
      ws.reset();
      emitter.reset();
      api.received.length = 0;
    },
  };
}

export const intercomEmulator: EmulatorDefinition<IntercomConfig, IntercomEmulatorOptions> = {
  create: createIntercomEmulator,
  fromConfig(config) {
    return { accessToken: config.accessToken, clientSecret: config.clientSecret };
  },
};
