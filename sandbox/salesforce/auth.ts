import { randomBytes, verify } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { sendError } from './http.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The sandbox org's id and its integration user, as the identity URL names them. */
const ORG_ID = '00D000000000001AAA';
const USER_ID = '005000000000001AAA';

export interface AuthOptions {
  clientId: string;
  clientSecret: string;
  /** The user the JWT bearer flow may sign in as (the `sub` claim). */
  username: string;
  /** PEM public key: JWT signatures are verified against it; unset, any well-formed one passes. */
  publicKey: string | undefined;
  /** What the token endpoint answers as instance_url; unset, the URL the request came to. */
  instanceUrl: string | undefined;
}

/** An OAuth error as the token endpoint gives it: 400 `{ error, error_description }`. */
function oauthError(res: Response, error: string, description: string, status = 400): void {
  res.status(status).json({ error, error_description: description });
}

const decodePart = (part: string): unknown => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * `POST /services/oauth2/token` for the client credentials and JWT bearer grants, and the
 * bearer check every REST call passes: tokens it issued, until the sandbox expires them.
 */
export function createAuth(options: AuthOptions) {
  const sessions = new Set<string>();
  let issued = 0;

  /** Why a JWT assertion is refused, or undefined when it is good. */
  function checkAssertion(assertion: string, origin: string): string | undefined {
    const parts = assertion.split('.');
    if (parts.length !== 3 || parts.some((p) => p.length === 0)) return 'invalid assertion';
    const [head, body, signature] = parts as [string, string, string];
    const header = decodePart(head) as { alg?: unknown } | undefined;
    const claims = decodePart(body) as Record<string, unknown> | undefined;
    if (!header || !claims || header.alg !== 'RS256') return 'invalid assertion';
    if (claims.iss !== options.clientId) return 'invalid assertion';
    if (claims.sub !== options.username) return 'user hasn\u2019t approved this consumer';
    const audiences = ['https://login.salesforce.com', 'https://test.salesforce.com', origin];
    if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud.replace(/\/+$/, '')))
      return 'audience is invalid';
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now())
      return 'expired authorization code';
    if (options.publicKey) {
      const good = verify(
        'RSA-SHA256',
        Buffer.from(`${head}.${body}`),
        options.publicKey,
        Buffer.from(signature, 'base64url'),
      );
      if (!good) return 'invalid assertion';
    }
    return undefined;
  }

  const router = express.Router();
  router.post(
    '/services/oauth2/token',
    express.urlencoded({ extended: false }),
    (req: Request, res: Response) => {
      const params = (req.body ?? {}) as Record<string, unknown>;
      const origin = `${req.protocol}://${req.get('host') ?? ''}`;
      const grant = params.grant_type;
      if (grant === 'client_credentials') {
        if (params.client_id !== options.clientId)
          return oauthError(res, 'invalid_client_id', 'client identifier invalid');
        if (params.client_secret !== options.clientSecret)
          return oauthError(res, 'invalid_client', 'invalid client credentials');
      } else if (grant === JWT_BEARER_GRANT) {
        const why =
          typeof params.assertion === 'string'
            ? checkAssertion(params.assertion, origin)
            : 'invalid assertion';
        if (why) return oauthError(res, 'invalid_grant', why);
      } else {
        return oauthError(res, 'unsupported_grant_type', 'grant type not supported');
      }
      const token = `${ORG_ID.slice(0, 15)}!${randomBytes(24).toString('base64url')}`;
      sessions.add(token);
      issued += 1;
      const instance = (options.instanceUrl ?? origin).replace(/\/+$/, '');
      res.json({
        access_token: token,
        signature: randomBytes(32).toString('base64'),
        scope: 'api',
        instance_url: instance,
        id: `${origin}/id/${ORG_ID}/${USER_ID}`,
        token_type: 'Bearer',
        issued_at: String(Date.now()),
      });
    },
  );

  /** 401 INVALID_SESSION_ID unless the request carries a token this org issued. */
  function requireSession(req: Request, res: Response, next: NextFunction): void {
    const header = req.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!sessions.has(token)) {
      sendError(res, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
      return;
    }
    next();
  }

  return {
    router,
    requireSession,
    /** Ends every session, as a timeout or a revoked app would. */
    expireSessions: () => sessions.clear(),
    tokensIssued: () => issued,
    reset(): void {
      sessions.clear();
      issued = 0;
    },
  };
}
