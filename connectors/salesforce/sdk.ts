import { sign } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { Connection, OAuth2 } from 'jsforce';
import type { HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce';
import { Transport } from 'jsforce/lib/transport.js';
import { StreamPromise } from 'jsforce/lib/util/promise.js';
import { ConnectorError } from '../errors.js';
import type { SalesforceAuth, SalesforceConfig } from './config.js';
import { DEFAULT_DAILY_API_SHARE, authOf } from './config.js';
import {
  DAILY_LIMIT_WAIT_MS,
  SalesforceHttpError,
  isInvalidSession,
  parseApiUsage,
  salesforceError,
} from './errors.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** A request that gets no answer within this long is given up (jsforce's own default: 30 min). */
const REQUEST_TIMEOUT_MS = 120_000;

/** The org's daily API usage as the latest answer's Sforce-Limit-Info gave it. */
export interface ApiUsage {
  used: number;
  max: number;
  /** When it was read (ms since the epoch). */
  readAt: number;
}

/**
 * The org's daily API allocation as seen from here: every answer's `Sforce-Limit-Info:
 * api-usage=N/M` is recorded, and a request is refused before it is sent while the latest
 * reading is at or above `share` of the allocation, so that a bulk job cannot spend what the
 * org's other integrations need. A reading older than DAILY_LIMIT_WAIT_MS no longer refuses:
 * the allocation is a rolling 24 hours, and the next answer tells the new usage.
 */
export function createApiBudget(share: number, now: () => number = Date.now) {
  let latest: ApiUsage | undefined;
  return {
    record(header: string | undefined): void {
      const usage = parseApiUsage(header);
      if (usage) latest = { ...usage, readAt: now() };
    },
    latest: (): ApiUsage | undefined => (latest ? { ...latest } : undefined),
    /** Throws rate_limited when the latest fresh reading leaves no room under the share. */
    check(): void {
      if (!latest) return;
      const age = now() - latest.readAt;
      const ceiling = Math.floor(latest.max * share);
      if (age >= DAILY_LIMIT_WAIT_MS || latest.used < ceiling) return;
      throw new ConnectorError(
        'rate_limited',
        `Salesforce: the org has used ${latest.used} of its ${latest.max} daily API calls; townhall stops at ${ceiling} (connectors.salesforce.dailyApiShare ${share})`,
        { vendor: 'salesforce', retryAfterMs: DAILY_LIMIT_WAIT_MS - age },
      );
    },
  };
}
export type ApiBudget = ReturnType<typeof createApiBudget>;

/**
 * jsforce's HTTP transport, set up for townhall: no retries of its own (Temporal owns retries,
 * with the server's waits), a bounded timeout, the daily budget checked before each request and
 * Sforce-Limit-Info read from every answer, and every answer of 400 or more handed over as a
 * SalesforceHttpError with its status and headers (jsforce's own errors keep neither).
 */
export class TownhallTransport extends Transport {
  constructor(private readonly budget: ApiBudget) {
    super();
  }

  override httpRequest(
    req: HttpRequest,
    options: HttpRequestOptions = {},
  ): StreamPromise<HttpResponse> {
    const isToken = new URL(req.url).pathname === '/services/oauth2/token';
    try {
      // The token endpoint does not count against the allocation: signing in stays possible.
      if (!isToken) this.budget.check();
    } catch (refused) {
      return StreamPromise.create(() => ({
        stream: new PassThrough(),
        promise: Promise.reject(refused as Error),
      }));
    }
    const inner = super.httpRequest(req, {
      ...options,
      retry: { maxRetries: 0, methods: [] },
      timeout: REQUEST_TIMEOUT_MS,
    });
    return StreamPromise.create(() => ({
      stream: inner.stream(),
      promise: inner.then((response) => {
        this.budget.record(response.headers['sforce-limit-info']);
        if (response.statusCode >= 400)
          throw new SalesforceHttpError(response.statusCode, response.headers, response.body);
        return response;
      }),
    }));
  }
}

/** A JWT for the bearer flow: RS256 over `{ iss, sub, aud, exp }`, valid for three minutes. */
export function jwtAssertion(
  auth: Extract<SalesforceAuth, { flow: 'jwt_bearer' }>,
  now = Date.now(),
): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256' })}.${part({
    iss: auth.clientId,
    sub: auth.username,
    aud: auth.audience,
    exp: Math.floor(now / 1000) + 180,
  })}`;
  const signature = sign('RSA-SHA256', Buffer.from(unsigned), auth.privateKey);
  return `${unsigned}.${signature.toString('base64url')}`;
}

/** The token endpoint's answer, the fields townhall uses. */
interface TokenAnswer {
  access_token: string;
  instance_url: string;
}

/**
 * One signed-in jsforce Connection: signs in on first use (client credentials or JWT bearer,
 * at `<loginUrl>/services/oauth2/token`), takes the instance URL from the token answer, and
 * signs in again once when Salesforce answers 401 INVALID_SESSION_ID.
 */
export function createSession(config: SalesforceConfig) {
  const auth = authOf(config);
  const loginUrl = config.loginUrl.replace(/\/+$/, '');
  const budget = createApiBudget(config.dailyApiShare ?? DEFAULT_DAILY_API_SHARE);
  const transport = new TownhallTransport(budget);

  // The client id is left off the Connection's OAuth2 on purpose: with one, jsforce would try
  // its own refresh-token flow on a 401, which neither flow here has.
  const conn = new Connection({ loginUrl, version: config.apiVersion });
  conn._transport = transport;

  let signingIn: Promise<void> | undefined;
  let signIns = 0;

  async function signIn(): Promise<void> {
    const oauth2 = new OAuth2({
      loginUrl,
      ...(auth.flow === 'client_credentials'
        ? { clientId: auth.clientId, clientSecret: auth.clientSecret }
        : {}),
    });
    oauth2._transport = transport;
    const answer = (await oauth2.requestToken(
      auth.flow === 'client_credentials'
        ? { grant_type: 'client_credentials' }
        : { grant_type: JWT_BEARER_GRANT, assertion: jwtAssertion(auth) },
    )) as unknown as Partial<TokenAnswer>;
    if (typeof answer.access_token !== 'string' || typeof answer.instance_url !== 'string')
      throw new ConnectorError(
        'unavailable',
        'Salesforce sign-in: the token answer is incomplete',
        {
          vendor: 'salesforce',
        },
      );
    conn.accessToken = answer.access_token;
    conn.instanceUrl = answer.instance_url.replace(/\/+$/, '');
    signIns += 1;
  }

  /** Signs in unless signed in; concurrent callers share one sign-in. */
  function ensureSignedIn(force = false): Promise<void> {
    if (!force && conn.accessToken) return Promise.resolve();
    signingIn ??= signIn()
      .catch((error: unknown) => {
        throw salesforceError(error, `sign-in (${auth.flow.replace('_', ' ')} flow)`);
      })
      .finally(() => {
        signingIn = undefined;
      });
    return signingIn;
  }

  return {
    conn,
    flow: auth.flow,
    /** Signs in now (the first call would anyway). */
    signIn: () => ensureSignedIn(true),
    /** How many times this session has signed in (the first time and every re-auth). */
    signIns: () => signIns,
    limits: budget.latest,
    /**
     * Runs `send` signed in; a 401 INVALID_SESSION_ID signs in again and sends once more (only
     * one caller signs in when several hit the expired session together). Anything thrown
     * becomes a ConnectorError.
     */
    async call<T>(action: string, send: (conn: Connection) => Promise<T>): Promise<T> {
      await ensureSignedIn();
      const token = conn.accessToken;
      try {
        return await send(conn);
      } catch (error) {
        if (!isInvalidSession(error)) throw salesforceError(error, action);
      }
      if (conn.accessToken === token) await ensureSignedIn(true);
      else await signingIn;
      try {
        return await send(conn);
      } catch (error) {
        throw salesforceError(error, action);
      }
    },
  };
}
export type SalesforceSession = ReturnType<typeof createSession>;
