import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { z } from 'zod';
import { errorBody } from './errors.js';

/**
 * HubSpot's API limits for a private app: a burst of requests per rolling 10 s window and a
 * daily allowance that resets at midnight (here UTC, the sandbox account's time zone).
 * Defaults: Free and Starter accounts, 100 per 10 s and 250,000 a day.
 */
export const limitsSchema = z.strictObject({
  burst: z
    .strictObject({
      max: z.number().int().min(1).default(100),
      intervalMs: z.number().int().min(100).default(10_000),
    })
    .prefault({}),
  daily: z.strictObject({ max: z.number().int().min(1).default(250_000) }).prefault({}),
});
export type HubSpotLimits = z.output<typeof limitsSchema>;
export type HubSpotLimitsInput = z.input<typeof limitsSchema>;

const utcDay = (now: number) => new Date(now).toISOString().slice(0, 10);

/** The rate limiter in front of the CRM API, with HubSpot's X-HubSpot-RateLimit-* headers. */
export function createRateLimiter(initial: HubSpotLimitsInput = {}) {
  const defaults = limitsSchema.parse(initial);
  let limits = defaults;
  let window: number[] = [];
  let day = utcDay(Date.now());
  let usedToday = 0;
  let rejected = 0;

  function reset(next: HubSpotLimits = defaults): void {
    limits = next;
    window = [];
    usedToday = 0;
    rejected = 0;
  }

  function setHeaders(res: Response): void {
    res.setHeader('X-HubSpot-RateLimit-Max', String(limits.burst.max));
    res.setHeader('X-HubSpot-RateLimit-Remaining', String(limits.burst.max - window.length));
    res.setHeader('X-HubSpot-RateLimit-Interval-Milliseconds', String(limits.burst.intervalMs));
    res.setHeader('X-HubSpot-RateLimit-Daily', String(limits.daily.max));
    res.setHeader('X-HubSpot-RateLimit-Daily-Remaining', String(limits.daily.max - usedToday));
  }

  /** Counts the request against both limits, or answers HubSpot's 429 for the one it breaks. */
  function middleware(_req: Request, res: Response, next: NextFunction): void {
    const now = Date.now();
    window = window.filter((at) => at > now - limits.burst.intervalMs);
    if (utcDay(now) !== day) {
      day = utcDay(now);
      usedToday = 0;
    }
    const policy =
      usedToday >= limits.daily.max
        ? 'DAILY'
        : window.length >= limits.burst.max
          ? 'TEN_SECONDLY_ROLLING'
          : undefined;
    if (!policy) {
      window.push(now);
      usedToday += 1;
    }
    setHeaders(res);
    if (!policy) return next();
    rejected += 1;
    res
      .status(429)
      .json(
        errorBody(
          'RATE_LIMITS',
          policy === 'DAILY'
            ? 'You have reached your daily limit.'
            : 'You have reached your ten_secondly_rolling limit.',
          { errorType: 'RATE_LIMIT', policyName: policy },
        ),
      );
  }

  const usage = () => ({
    ...limits,
    usage: { inWindow: window.length, today: usedToday, rejected },
  });

  /** GET shows the limits and usage; POST sets them (and starts counting afresh). */
  const router = express.Router();
  router.get('/_sandbox/hubspot/limits', (_req, res) => {
    res.json(usage());
  });
  router.post('/_sandbox/hubspot/limits', express.json(), (req, res) => {
    const parsed = limitsSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({
        error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
      return;
    }
    reset(parsed.data);
    res.json(usage());
  });

  /** The current headers without counting: for answers given before the limiter (faults). */
  const headers = (_req: Request, res: Response, next: NextFunction) => {
    setHeaders(res);
    next();
  };

  return { middleware, headers, router, reset: () => reset(), usage };
}
