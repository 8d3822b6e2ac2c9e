import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import type { HubSpotConfig } from '../../connectors/hubspot/config.js';
import type { Emulator, EmulatorContext, EmulatorDefinition } from '../emulator.js';
import { contactRoutes } from './contacts.js';
import { CATEGORY, errorBody, sendError } from './errors.js';
import type { HubSpotLimitsInput } from './limits.js';
import { createRateLimiter } from './limits.js';
import { propertyRoutes } from './properties.js';
import { createPropertyStore } from './property-store.js';
import { createRecordFaults } from './record-faults.js';
import { searchRoutes } from './search.js';
import type { SandboxContact } from './store.js';
import { createContactStore } from './store.js';
import { createHubSpotWebhooks } from './webhooks.js';

export type { SandboxContact } from './store.js';
export type { HubSpotLimitsInput } from './limits.js';

export interface HubSpotEmulatorOptions {
  /** The one private-app token accepted; any other bearer token gets 401. */
  accessToken: string;
  /** Burst and daily API limits; HubSpot's Free/Starter ones (100 per 10 s, 250,000 a day) by default. */
  limits: HubSpotLimitsInput;
  /** The app's client secret: set, contact changes go to townhall as v3-signed webhooks. */
  clientSecret: string;
  /** Waits before webhook redeliveries; 0.5 s, 1 s, 2 s when absent. */
  webhookRetryDelaysMs: readonly number[];
}

/** An authenticated CRM request as the sandbox saw it, for tests that pin request shapes. */
export interface SandboxRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status?: number;
  /** When it arrived (epoch ms): tests measure request rates from it. */
  at: number;
}

/** The sandbox account's portal (hub) id and the app that receives its webhooks. */
export const SANDBOX_PORTAL_ID = 62_515;
const SANDBOX_APP_ID = 4_010_401;

/** The access token config/examples/sandbox.yaml uses. */
export const DEFAULT_HUBSPOT_ACCESS_TOKEN = 'sandbox-hubspot-token';

/**
 * HubSpot's CRM v3 API for contacts and their properties: token auth, HubSpot's error bodies,
 * the rate limiter and its headers, 207 batches, upserts by email or a unique property, unique
 * values enforced, search, merges, GDPR delete, and v3-signed webhooks. Inspection under
 * /_sandbox/hubspot/: contacts, requests, properties, limits, webhooks; agent actions: merge two
 * contacts (POST /_sandbox/hubspot/contacts/:id/merge), fail chosen records of the next batch
 * upserts (POST /_sandbox/hubspot/record-faults).
 */
function createHubSpotEmulator(options: Partial<HubSpotEmulatorOptions>, context: EmulatorContext) {
  const accessToken = options.accessToken ?? DEFAULT_HUBSPOT_ACCESS_TOKEN;
  const webhooks = createHubSpotWebhooks({
    clientSecret: options.clientSecret,
    townhallUrl: () => context.townhallUrl(),
    portalId: SANDBOX_PORTAL_ID,
    appId: SANDBOX_APP_ID,
    ...(options.webhookRetryDelaysMs ? { retryDelaysMs: options.webhookRetryDelaysMs } : {}),
  });
  const contacts = createContactStore(webhooks.notify);
  const properties = createPropertyStore();
  const limiter = createRateLimiter(options.limits);
  const recordFaults = createRecordFaults();
  const contactApi = contactRoutes(contacts, properties, {
    portalId: SANDBOX_PORTAL_ID,
    recordFaults,
  });

  const requests: SandboxRequest[] = [];

  const router = express.Router();
  router.get('/_sandbox/hubspot/contacts', (_req, res) => {
    res.json(contacts.list());
  });
  router.use(limiter.router);
  router.get('/_sandbox/hubspot/requests', (_req, res) => {
    res.json(requests);
  });
  router.use(webhooks.router);
  router.use(recordFaults.router);
  // What a person does in HubSpot's UI: merge contact `objectIdToMerge` into contact :id.
  router.post('/_sandbox/hubspot/contacts/:id/merge', express.json(), (req, res) => {
    const body = (req.body ?? {}) as { objectIdToMerge?: unknown };
    contactApi.mergeContacts(
      res,
      req.params.id,
      typeof body.objectIdToMerge === 'string' || typeof body.objectIdToMerge === 'number'
        ? String(body.objectIdToMerge)
        : '',
    );
  });
  router.get('/_sandbox/hubspot/properties', (_req, res) => {
    res.json({
      groups: [...properties.groups.values()],
      properties: [...properties.properties.values()],
    });
  });

  router.use('/crm', limiter.headers);
  router.use(
    '/crm',
    context.faults.middleware('hubspot', (status) =>
      errorBody(
        CATEGORY[status] ?? 'INTERNAL_ERROR',
        status === 429 ? 'You have reached your ten_secondly_rolling limit.' : 'internal error',
        status === 429 ? { errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' } : {},
      ),
    ),
  );
  router.use('/crm', express.json({ limit: '3mb' }));

  router.use('/crm', (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    if (!header.startsWith('Bearer ')) {
      sendError(res, 401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.');
      return;
    }
    if (header.slice('Bearer '.length) !== accessToken) {
      sendError(
        res,
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
      );
      return;
    }
    next();
  });
  router.use('/crm', (req: Request, res: Response, next: NextFunction) => {
    const entry: SandboxRequest = {
      method: req.method,
      path: req.originalUrl.split('?')[0]!,
      query: { ...(req.query as Record<string, unknown>) },
      body: req.body as unknown,
      at: Date.now(),
    };
    res.on('finish', () => {
      entry.status = res.statusCode;
      requests.push(entry);
      if (requests.length > 1_000) requests.shift();
    });
    next();
  });
  router.use('/crm', limiter.middleware);

  router.use(searchRoutes(contacts, properties));
  router.use(contactApi.router);
  router.use(propertyRoutes(properties));
  // A body that is not JSON: HubSpot's 400, not Express's HTML page.
  router.use('/crm', (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (error as { status?: number }).status;
    if (status === undefined || status >= 500) return next(error);
    sendError(res, status, CATEGORY[status] ?? 'VALIDATION_ERROR', 'Invalid input JSON');
  });

  return {
    router,
    /** The contacts as GET /_sandbox/hubspot/contacts lists them. */
    list: (): SandboxContact[] => contacts.list(),
    properties: () => [...properties.properties.values()],
    groups: () => [...properties.groups.values()],
    webhookDeliveries: webhooks.deliveries,
    limits: limiter.usage,
    requests: () => [...requests],
    examples: (url: string) => ({ inspect: `curl -s ${url}/_sandbox/hubspot/contacts` }),
    reset: () => {
      requests.length = 0;
      contacts.reset();
      properties.reset();
      limiter.reset();
      webhooks.reset();
      recordFaults.reset();
    },
  };
}

export type HubSpotEmulator = ReturnType<typeof createHubSpotEmulator> & Emulator;

export const hubspotEmulator: EmulatorDefinition<
  HubSpotConfig,
  HubSpotEmulatorOptions,
  HubSpotEmulator
> = {
  create: createHubSpotEmulator,
  fromConfig(config) {
    return {
      accessToken: config.accessToken,
      // Set, the emulator signs contact changes and sends them to /webhooks/hubspot.
      ...(config.clientSecret ? { clientSecret: config.clientSecret } : {}),
    };
  },
};
