import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/server.js';
import { UNSUBSCRIBE_PATH } from './routes/unsubscribe.js';

export type RateLimitSettings = ServerConfig['rateLimit'];

/** The limits when nothing says otherwise: what config/server.ts defaults to. */
export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  window: 60_000,
  unsubscribe: 30,
  admin: 600,
};

const pass: RequestHandler = (_req, _res, next) => next();

function limiter(limit: number, windowMs: number, family: string, logger: Logger): RequestHandler {
  if (limit === 0) return pass;
  return rateLimit({
    windowMs,
    limit,
    // RateLimit-Policy, RateLimit (IETF draft 8), and Retry-After on a 429.
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: family,
    // Keyed on req.ip: the socket's address unless server.trustProxy names proxies to believe;
    // IPv6 clients by their /56, as one household or host usually has a whole prefix.
    handler: (_req, res, _next, options) => {
      // Neither the address nor the path: unsubscribe paths carry a member's token.
      logger.debug({ family }, 'client over its request limit');
      res.status(options.statusCode).json({ error: `too many requests; retry later` });
    },
    // The library's start-up checks (a proxy header with trust proxy off ...) go to the log.
    logger: {
      warn: (error: unknown) => logger.warn({ err: error }, 'rate limiter setup'),
      error: (error: unknown) => logger.error({ err: error }, 'rate limiter setup'),
    },
  });
}

/**
 * Per-client request limits for everything but vendor webhooks and health checks (mounted after
 * those): unsubscribe links have their own budget, and the admin API, the codec endpoint and
 * unknown paths share another (a token guesser gets no more tries than the limit allows).
 * Counts are kept in this process: with several servers, each allows the limit.
 */
export function clientRateLimits(settings: RateLimitSettings, logger: Logger): RequestHandler {
  const unsubscribe = limiter(settings.unsubscribe, settings.window, 'unsubscribe', logger);
  const admin = limiter(settings.admin, settings.window, 'admin', logger);
  return (req, res, next) =>
    (req.path.startsWith(`${UNSUBSCRIBE_PATH}/`) ? unsubscribe : admin)(req, res, next);
}
