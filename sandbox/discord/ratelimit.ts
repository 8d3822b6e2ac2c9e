import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';

/**
 * Discord's per-route rate limits: every answer carries the bucket's X-RateLimit-* headers, and a
 * request over the limit gets 429 with `{ message, retry_after, global }`, Retry-After and
 * X-RateLimit-Scope. Faults injected as 429s (vendor `discord`, or `discord-global` for the
 * global limit) exhaust the bucket, or every bucket, for the advertised wait, as Discord would.
 */
export interface RateLimitSettings {
  /** Requests per bucket per window (Discord's real buckets vary; 5 per 5 s is common). */
  limit: number;
  windowMs: number;
}

interface Bucket {
  remaining: number;
  resetAt: number;
}

/** Path segments whose id is a major parameter: each value gets its own bucket. */
const MAJOR = new Set(['channels', 'guilds', 'webhooks']);

/** `/channels/1/messages/2` → bucket route `/channels/1/messages/:id`, hashed without the 1. */
function routeOf(method: string, path: string): { key: string; hash: string } {
  const segments = path.split('/');
  let major = 'global';
  const template = segments.map((segment, index) => {
    if (!/^\d{5,}$/.test(segment)) return segment;
    if (index === 2 && MAJOR.has(segments[1] ?? '')) {
      major = segment;
      return ':major';
    }
    return ':id';
  });
  const route = `${method} ${template.join('/')}`;
  const hash = createHash('sha1').update(route).digest('hex').slice(0, 32);
  return { key: `${hash}:${major}`, hash };
}

const seconds = (ms: number) => Math.max(0, ms / 1000).toFixed(3);

export function rateLimitBody(retryAfterSeconds: number, global: boolean) {
  return {
    message: 'You are being rate limited.',
    retry_after: Number(retryAfterSeconds.toFixed(3)),
    global,
  };
}

export function createRateLimits(settings: RateLimitSettings) {
  const buckets = new Map<string, Bucket>();
  let globalUntil = 0;

  function bucketFor(req: Request) {
    const { key, hash } = routeOf(req.method, req.path);
    const now = Date.now();
    let bucket = buckets.get(key);
    if (!bucket || bucket.resetAt <= now) {
      bucket = { remaining: settings.limit, resetAt: now + settings.windowMs };
      buckets.set(key, bucket);
    }
    return { bucket, hash, now };
  }

  function setHeaders(res: Response, bucket: Bucket, hash: string, now: number) {
    res.setHeader('X-RateLimit-Limit', String(settings.limit));
    res.setHeader('X-RateLimit-Remaining', String(bucket.remaining));
    res.setHeader('X-RateLimit-Reset', seconds(bucket.resetAt));
    res.setHeader('X-RateLimit-Reset-After', seconds(bucket.resetAt - now));
    res.setHeader('X-RateLimit-Bucket', hash);
  }

  /** Marks a 429 as complete, so shapeRateLimited leaves it alone. */
  function limited(res: Response, waitMs: number, global: boolean) {
    res.locals.discordRateLimited = true;
    res.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
    res.setHeader('X-RateLimit-Scope', global ? 'global' : 'user');
    if (global) res.setHeader('X-RateLimit-Global', 'true');
  }

  /** Counts the request against its bucket; answers 429 when the bucket or global is exhausted. */
  const enforce: RequestHandler = (req, res, next) => {
    const { bucket, hash, now } = bucketFor(req);
    if (globalUntil > now) {
      setHeaders(res, bucket, hash, now);
      limited(res, globalUntil - now, true);
      res.status(429).json(rateLimitBody((globalUntil - now) / 1000, true));
      return;
    }
    if (bucket.remaining <= 0) {
      setHeaders(res, bucket, hash, now);
      limited(res, bucket.resetAt - now, false);
      res.status(429).json(rateLimitBody((bucket.resetAt - now) / 1000, false));
      return;
    }
    bucket.remaining -= 1;
    setHeaders(res, bucket, hash, now);
    next();
  };

  /**
   * Shapes 429 answers that other middleware (the faults) produced: the wait from their
   * Retry-After goes into the body and the headers (rounded up to whole seconds in Retry-After,
   * as Discord does), and the bucket, or for a global limit every bucket, stays closed that long.
   */
  const shapeRateLimited: RequestHandler = (req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const given = body as { retry_after?: number; global?: boolean } | null;
      const shaped = res.locals.discordRateLimited === true;
      if (res.statusCode === 429 && !shaped && given && typeof given.retry_after === 'number') {
        const header = Number(res.getHeader('retry-after'));
        const waitSeconds = Number.isFinite(header) && header > 0 ? header : given.retry_after || 1;
        const global = given.global === true;
        const { bucket, hash, now } = bucketFor(req);
        if (global) globalUntil = Math.max(globalUntil, now + waitSeconds * 1000);
        else {
          bucket.remaining = 0;
          bucket.resetAt = now + waitSeconds * 1000;
        }
        setHeaders(res, bucket, hash, now);
        limited(res, waitSeconds * 1000, global);
        return json(rateLimitBody(waitSeconds, global));
      }
      return json(body);
    };
    next();
  };

  return {
    enforce,
    shapeRateLimited,
    reset() {
      buckets.clear();
      globalUntil = 0;
    },
  };
}
