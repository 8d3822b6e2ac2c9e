import { createPublicKey } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import type { SalesforceConfig } from '../../connectors/salesforce/config.js';
import type { Emulator, EmulatorContext, EmulatorDefinition } from '../emulator.js';
import { withDefaults } from '../emulator.js';
import { createAuth } from './auth.js';
import { bulkRoutes } from './bulk.js';
import { faultBody, isApiVersion, notFound, sendError } from './http.js';
import { createApiLimits } from './limits.js';
import type { CustomField } from './org.js';
import { COMMUNITY_FIELDS, createOrg } from './org.js';
import { restRoutes } from './rest.js';

export type { CustomField } from './org.js';

export interface SalesforceEmulatorOptions {
  /** The connected app's consumer key and secret (client credentials flow). */
  clientId: string;
  clientSecret: string;
  /** The user the JWT bearer flow signs in as. */
  username: string;
  /**
   * PEM public key of the certificate uploaded to the connected app: JWT signatures are checked
   * against it. Unset, any well-formed RS256 JWT with the right iss, sub, aud and exp passes.
   */
  publicKey: string | undefined;
  /** What the token endpoint answers as instance_url; unset, the sandbox's own URL. */
  instanceUrl: string | undefined;
  /** The object people are kept as. */
  object: string;
  /** The custom fields its admin created; the community fields of townhall's README by default. */
  customFields: readonly CustomField[];
  /** Custom fields to leave out, as in an org whose admin has not created them yet. */
  missingFields: readonly string[];
  /** The org's daily API allocation (Enterprise Edition's base: 100,000). */
  dailyApiLimit: number;
  /** How long a closed bulk job stays UploadComplete, then InProgress. */
  bulkProcessingMs: number;
  /** Records per page of a query answer (Salesforce: 2,000). */
  queryPageSize: number;
}

/** The credentials a config pointed at the sandbox uses unless it says otherwise. */
export const SALESFORCE_DEFAULTS: SalesforceEmulatorOptions = {
  clientId: 'sandbox-salesforce-client-id',
  clientSecret: 'sandbox-salesforce-client-secret',
  username: 'townhall@sandbox.salesforce.test',
  publicKey: undefined,
  instanceUrl: undefined,
  object: 'Contact',
  customFields: COMMUNITY_FIELDS,
  missingFields: [],
  dailyApiLimit: 100_000,
  bulkProcessingMs: 50,
  queryPageSize: 2_000,
};

/** A REST call as the sandbox saw it, for tests that count calls. */
export interface SandboxRequest {
  method: string;
  path: string;
  status?: number;
}

/**
 * Salesforce's REST API for one org: the OAuth token endpoint (client credentials and JWT
 * bearer), describe, sObject Collections upsert by external id, SOQL queries, delete, Bulk API
 * 2.0 ingest jobs, the daily API allocation with Sforce-Limit-Info, and Salesforce's error
 * bodies. Inspection under /_sandbox/salesforce/: contacts, requests, jobs, limits, sessions,
 * locks.
 */
function createSalesforceEmulator(
  given: Partial<SalesforceEmulatorOptions>,
  context: EmulatorContext,
) {
  const options = withDefaults(SALESFORCE_DEFAULTS, given);
  const auth = createAuth(options);
  const org = createOrg(options);
  const limits = createApiLimits(options.dailyApiLimit);
  const rest = restRoutes(org, options);
  const bulk = bulkRoutes(org, { processingMs: options.bulkProcessingMs });
  const requests: SandboxRequest[] = [];

  const router = express.Router();
  router.get('/_sandbox/salesforce/contacts', (_req, res) => {
    res.json(org.list());
  });
  router.get('/_sandbox/salesforce/requests', (_req, res) => {
    res.json(requests);
  });
  router.get('/_sandbox/salesforce/jobs', (_req, res) => {
    res.json(bulk.list());
  });
  router.use(limits.router);
  /** Ends every session: the next call gets 401 INVALID_SESSION_ID, as after a timeout. */
  router.post('/_sandbox/salesforce/sessions/expire', (_req, res) => {
    auth.expireSessions();
    res.json({ ok: true });
  });
  /** `{ externalIds: [...] }`: those records answer UNABLE_TO_LOCK_ROW until the next call. */
  router.post('/_sandbox/salesforce/locks', express.json(), (req, res) => {
    const ids = (req.body as { externalIds?: unknown } | undefined)?.externalIds;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
      res.status(400).json({ error: ['externalIds: expected an array of strings'] });
      return;
    }
    org.lock(ids);
    res.json({ locked: ids });
  });

  router.use('/services', (req: Request, res: Response, next: NextFunction) => {
    const entry: SandboxRequest = { method: req.method, path: req.originalUrl.split('?')[0]! };
    res.on('finish', () => {
      entry.status = res.statusCode;
      requests.push(entry);
      if (requests.length > 5_000) requests.shift();
    });
    next();
  });
  router.use('/services/data', limits.headers);
  router.use(
    '/services',
    context.faults.middleware('salesforce', faultBody, { dropAfterHandling: true }),
  );
  router.use(auth.router);
  router.use('/services/data', auth.requireSession);
  router.use('/services/data', limits.count);
  router.use('/services/data/:version', (req: Request, res: Response, next: NextFunction) => {
    if (isApiVersion(String(req.params.version))) return next();
    notFound(res);
  });
  router.use('/services/data/:version', express.json({ limit: '50mb' }));
  router.use('/services/data/:version', rest.router);
  router.use('/services/data/:version', bulk.router);
  router.use('/services', (_req: Request, res: Response) => {
    notFound(res);
  });
  // A body that is not JSON: Salesforce's 400, not Express's HTML page.
  router.use('/services', (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (error as { status?: number }).status;
    if (status === undefined || status >= 500) return next(error);
    sendError(res, status, 'JSON_PARSER_ERROR', 'The request body could not be parsed');
  });

  return {
    router,
    /** The records as GET /_sandbox/salesforce/contacts lists them. */
    list: () => org.list(),
    requests: () => [...requests],
    jobs: () => bulk.list(),
    limits: () => limits.usage(),
    tokensIssued: () => auth.tokensIssued(),
    expireSessions: () => auth.expireSessions(),
    examples: (url: string) => ({ inspect: `curl -s ${url}/_sandbox/salesforce/contacts` }),
    reset(): void {
      requests.length = 0;
      auth.reset();
      org.reset();
      limits.reset();
      rest.reset();
      bulk.reset();
    },
    stop(): void {
      bulk.reset();
    },
  };
}

export type SalesforceEmulator = ReturnType<typeof createSalesforceEmulator> & Emulator;

export const salesforceEmulator: EmulatorDefinition<
  SalesforceConfig,
  SalesforceEmulatorOptions,
  SalesforceEmulator
> = {
  create: createSalesforceEmulator,
  fromConfig(config) {
    const known = new Set(COMMUNITY_FIELDS.map((field) => field.name.toLowerCase()));
    // Fields the config names beyond the README's: the sandbox org has them as plain text.
    const extra: CustomField[] = [
      ...new Set([config.externalIdField, ...Object.values(config.fields)]),
    ]
      .filter((name) => name.endsWith('__c') && !known.has(name.toLowerCase()))
      .map((name) =>
        name === config.externalIdField
          ? { name, type: 'string', length: 64, externalId: true, unique: true }
          : { name, type: 'string', length: 255 },
      );
    return {
      clientId: config.clientId,
      ...(config.clientSecret ? { clientSecret: config.clientSecret } : {}),
      ...(config.username ? { username: config.username } : {}),
      ...(config.privateKey
        ? {
            publicKey: createPublicKey(config.privateKey)
              .export({ type: 'spki', format: 'pem' })
              .toString(),
          }
        : {}),
      object: config.object,
      customFields: [...COMMUNITY_FIELDS, ...extra],
    };
  },
};
