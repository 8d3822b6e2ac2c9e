import type { RequestHandler, Response } from 'express';
import { errorBody } from './errors.js';

/**
 * Reddit's OAuth rate limit: a budget per app (client id) over a fixed window that starts with
 * the window's first request. Every answer says how much is used and left and when the window
 * ends; past the budget, 429 with Retry-After until then.
 */
export interface RateLimitOptions {
  perWindow: number;
  windowSeconds: number;
}

interface Window {
  start: number;
  used: number;
}

export function createRateLimits(options: RateLimitOptions, clientOf: (res: Response) => string) {
  const windows = new Map<string, Window>();

  const middleware: RequestHandler = (_req, res, next) => {
    const client = clientOf(res);
    const now = Date.now();
    const length = options.windowSeconds * 1000;
    let window = windows.get(client);
    if (!window || now - window.start >= length) {
      window = { start: now, used: 0 };
      windows.set(client, window);
    }
    window.used += 1;
    const reset = Math.max(0, Math.ceil((window.start + length - now) / 1000));
    // Reddit sends the remainder as a decimal ("993.0") and the reset in whole seconds.
    res.setHeader('X-Ratelimit-Used', String(window.used));
    res.setHeader('X-Ratelimit-Remaining', Math.max(0, options.perWindow - window.used).toFixed(1));
    res.setHeader('X-Ratelimit-Reset', String(reset));
    if (window.used > options.perWindow) {
      res.setHeader('Retry-After', String(reset));
      res.status(429).json(errorBody(429));
      return;
    }
    next();
  };

  return {
    middleware,
    /** What a client has used of its current window (0 once the window is over). */
    used(clientId: string): number {
      const window = windows.get(clientId);
      const over = !window || Date.now() - window.start >= options.windowSeconds * 1000;
      return over ? 0 : window.used;
    },
    reset: () => windows.clear(),
  };
}
