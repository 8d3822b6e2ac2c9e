import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Conforms } from './api-helpers.js';
import { fail } from './errors.js';
import type { IntercomSpec } from './spec.js';
import { loadIntercomSpec } from './spec.js';

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

/** The version the emulator implements (intercom-client 7's default). */
const SERVED_VERSION = '2.14';
/** Intercom's documented limit: 10,000 calls a minute per app, spread over 10-second windows. */
const WINDOW_LIMIT = 1_666;
const WINDOW_MS = 10_000;

export interface ApiGateOptions {
  /** The one access token accepted; any other bearer token gets Intercom's 401. */
  accessToken: string;
  /** The OpenAPI description; defaults to sandbox/specs/intercom/api-2.14.openapi.yaml. */
  specPath?: string;
}

/**
 * What every Intercom API request passes: recorded (GET /_sandbox/intercom/requests), counted
 * against the rate limit, authenticated, its Intercom-Version checked, its body checked against
 * the 2.14 description by the route's `conforms`.
 */
export function createApiGate(options: ApiGateOptions) {
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

  return { received, record, rateLimit, gate, conforms };
}
