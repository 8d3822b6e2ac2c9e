import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { z } from 'zod';
import { sendError } from './http.js';

/** `POST /_sandbox/salesforce/limits`: the org's daily allocation, and how much of it is spent. */
const limitsSchema = z.strictObject({
  max: z.number().int().min(1).optional(),
  used: z.number().int().min(0).optional(),
});

/**
 * The org's daily API allocation (Enterprise Edition starts at 100,000 requests per rolling 24
 * hours): every authenticated REST call counts one, every answer says `Sforce-Limit-Info:
 * api-usage=N/M`, and once it is spent calls get 403 REQUEST_LIMIT_EXCEEDED.
 */
export function createApiLimits(initialMax: number) {
  let max = initialMax;
  let used = 0;
  let refused = 0;

  const header = (res: Response) => res.setHeader('Sforce-Limit-Info', `api-usage=${used}/${max}`);

  /** Sets the header without counting: for answers given before a call is counted. */
  function headers(_req: Request, res: Response, next: NextFunction): void {
    header(res);
    next();
  }

  /** Counts the call, or refuses it when the allocation is spent. */
  function count(_req: Request, res: Response, next: NextFunction): void {
    if (used >= max) {
      refused += 1;
      header(res);
      sendError(res, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      return;
    }
    used += 1;
    header(res);
    next();
  }

  const usage = () => ({ max, used, refused });

  const router = express.Router();
  router.get('/_sandbox/salesforce/limits', (_req, res) => {
    res.json(usage());
  });
  router.post('/_sandbox/salesforce/limits', express.json(), (req, res) => {
    const parsed = limitsSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({
        error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
      return;
    }
    max = parsed.data.max ?? max;
    used = parsed.data.used ?? used;
    res.json(usage());
  });

  return {
    headers,
    count,
    router,
    usage,
    reset(): void {
      max = initialMax;
      used = 0;
      refused = 0;
    },
  };
}
