import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import type { Faults } from './faults.js';
import { contactRoutes } from './hubspot-contacts.js';
import { CATEGORY, errorBody, sendError } from './hubspot-errors.js';
import type { HubSpotLimitsInput } from './hubspot-limits.js';
import { createRateLimiter } from './hubspot-limits.js';
import { propertyRoutes } from './hubspot-properties.js';
import { createPropertyStore } from './hubspot-property-store.js';
import { searchRoutes } from './hubspot-search.js';
import { createContactStore } from './hubspot-store.js';
import { createHubSpotWebhooks } from './hubspot-webhooks.js';

export type { SandboxContact } from './hubspot-store.js';
export type { HubSpotLimitsInput } from './hubspot-limits.js';

export interface HubSpotSandboxOptions {
  /** The one private-app token accepted; any other bearer token gets 401. */
  accessToken: string;
  faults: Faults;
  /** Burst and daily API limits; HubSpot's Free/Starter ones (100 per 10 s, 250,000 a day) by default. */
  limits?: HubSpotLimitsInput;
  /** The app's client secret: with townhallUrl set, contact changes are sent as signed webhooks. */
  clientSecret?: string;
  townhallUrl?: () => string | undefined;
  /** Waits before webhook redeliveries; 0.5 s, 1 s, 2 s when absent. */
  webhookRetryDelaysMs?: readonly number[];
}

/** An authenticated CRM request as the sandbox saw it, for tests that pin request shapes. */
export interface SandboxRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status?: number;
}

/** The sandbox account's portal (hub) id and the app that receives its webhooks. */
export const SANDBOX_PORTAL_ID = 62_515;
const SANDBOX_APP_ID = 4_010_401;

/**
 * HubSpot's CRM v3 API for contacts and their properties: token auth, HubSpot's error bodies,
 * the rate limiter and its headers, 207 batches, search, GDPR delete, and v3-signed webhooks.
 * Inspection under /_sandbox/hubspot/: contacts (in index.ts), properties, limits, webhooks.
 */
export function createHubSpotSandbox(options: HubSpotSandboxOptions) {
  const webhooks = createHubSpotWebhooks({
    clientSecret: options.clientSecret,
    townhallUrl: options.townhallUrl ?? (() => undefined),
    portalId: SANDBOX_PORTAL_ID,
    appId: SANDBOX_APP_ID,
    ...(options.webhookRetryDelaysMs ? { retryDelaysMs: options.webhookRetryDelaysMs } : {}),
  });
  const contacts = createContactStore(webhooks.notify);
  const properties = createPropertyStore();
  const limiter = createRateLimiter(options.limits);

  const requests: SandboxRequest[] = [];

  const router = express.Router();
  router.use(limiter.router);
  router.get('/_sandbox/hubspot/requests', (_req, res) => {
    res.json(requests);
  });
  router.use(webhooks.router);
  router.get('/_sandbox/hubspot/properties', (_req, res) => {
    res.json({
      groups: [...properties.groups.values()],
      properties: [...properties.properties.values()],
    });
  });

  router.use('/crm', limiter.headers);
  router.use(
    '/crm',
    options.faults.middleware('hubspot', (status) =>
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
    if (header.slice('Bearer '.length) !== options.accessToken) {
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
  router.use(contactRoutes(contacts, properties));
  router.use(propertyRoutes(properties));
  // A body that is not JSON: HubSpot's 400, not Express's HTML page.
  router.use('/crm', (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (error as { status?: number }).status;
    if (status === undefined || status >= 500) return next(error);
    sendError(res, status, CATEGORY[status] ?? 'VALIDATION_ERROR', 'Invalid input JSON');
  });

  return {
    router,
    list: contacts.list,
    properties: () => [...properties.properties.values()],
    groups: () => [...properties.groups.values()],
    webhookDeliveries: webhooks.deliveries,
    limits: limiter.usage,
    requests: () => [...requests],
    reset: () => {
      requests.length = 0;
      contacts.reset();
      properties.reset();
      limiter.reset();
      webhooks.reset();
    },
  };
}
