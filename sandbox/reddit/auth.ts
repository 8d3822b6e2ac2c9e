import { randomBytes } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import express from 'express';
import { z } from 'zod';
import { fail } from './errors.js';
import { setClient } from './requests.js';

/**
 * POST /api/v1/access_token (the password and refresh-token grants an app's client id and secret
 * sign in with) and the bearer check every other API request passes.
 */

export interface AuthOptions {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  refreshToken: string;
  tokenLifetimeSeconds: number;
}

export interface Session {
  clientId: string;
  /** The account the token acts as: always the bot here. */
  username: string;
  expiresAt: number;
}

const grantSchema = z.discriminatedUnion('grant_type', [
  z.object({ grant_type: z.literal('password'), username: z.string(), password: z.string() }),
  z.object({ grant_type: z.literal('refresh_token'), refresh_token: z.string() }),
]);

/** `Basic base64(id:secret)` → the pair; an installed app's secret is empty. */
function basicCredentials(header: string | undefined) {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0
    ? { id: decoded, secret: '' }
    : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** The session a request's bearer token names, while it lasts. */
export const sessionOf = (res: Response) => res.locals.redditSession as Session;

export function createAuth(options: AuthOptions) {
  const sessions = new Map<string, Session>();
  let tokenRequests = 0;

  const router = express.Router();
  router.post(
    '/api/v1/access_token',
    express.urlencoded({ extended: false, limit: '16kb' }),
    (req, res) => {
      tokenRequests += 1;
      const client = basicCredentials(req.get('authorization'));
      if (client) setClient(res, client.id);
      if (client?.id !== options.clientId || client.secret !== options.clientSecret)
        return fail(res, 401);
      // Reddit answers a refused grant with 200 and `{ error }`, not an HTTP error.
      const grant = grantSchema.safeParse(req.body ?? {});
      if (!grant.success) {
        const type = (req.body as { grant_type?: unknown } | undefined)?.grant_type;
        res.json({ error: type === undefined ? 'unsupported_grant_type' : 'invalid_request' });
        return;
      }
      const good =
        grant.data.grant_type === 'password'
          ? grant.data.username.toLowerCase() === options.username.toLowerCase() &&
            grant.data.password === options.password
          : grant.data.refresh_token === options.refreshToken;
      if (!good) {
        res.json({ error: 'invalid_grant' });
        return;
      }
      const token = `${Date.now()}-${randomBytes(18).toString('base64url')}`;
      const lifetime = options.tokenLifetimeSeconds;
      sessions.set(token, {
        clientId: client.id,
        username: options.username,
        expiresAt: Date.now() + lifetime * 1000,
      });
      res.json({ access_token: token, token_type: 'bearer', expires_in: lifetime, scope: '*' });
    },
  );

  /** 401 unless `Authorization: bearer <token>` names a token that has not expired. */
  const requireToken: RequestHandler = (req, res, next) => {
    const match = /^bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const session = match ? sessions.get(match[1]!) : undefined;
    if (!session || session.expiresAt <= Date.now()) return fail(res, 401);
    res.locals.redditSession = session;
    setClient(res, session.clientId);
    next();
  };

  return {
    router,
    requireToken,
    tokenRequests: () => tokenRequests,
    /** Every token issued so far stops working, as if its hour had passed. */
    expireAll: () => {
      for (const session of sessions.values()) session.expiresAt = 0;
    },
    reset: () => {
      sessions.clear();
      tokenRequests = 0;
    },
  };
}

export type RedditAuth = ReturnType<typeof createAuth>;

/** Reddit throttles requests with a blank User-Agent as if they were over the limit. */
export const requireUserAgent: RequestHandler = (req, res, next) => {
  if (!req.get('user-agent')?.trim()) return fail(res, 429);
  next();
};
