import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';

/** What `POST /_sandbox/faults` accepts: the next `count` requests to `vendor` misbehave. */
export const faultSchema = z.strictObject({
  vendor: z.string().min(1),
  /** HTTP status to answer with (e.g. 429, 500, 503); omit to only delay or drop. */
  status: z.number().int().min(400).max(599).optional(),
  count: z.number().int().min(1).default(1),
  retryAfterSeconds: z.number().min(0).optional(),
  /** Wait this long before answering (or before passing the request on). */
  delayMs: z.number().int().min(0).max(120_000).optional(),
  /** Close the connection without answering. */
  drop: z.boolean().default(false),
  /** Only requests whose path contains this text, e.g. "chat.postMessage"; others pass. */
  path: z.string().min(1).optional(),
  /**
   * Instead of the next `count` requests: each matching request, with this probability, until
   * reset (the chaos suite's "10% of vendor calls fail"). `count` is then ignored.
   */
  rate: z.number().gt(0).max(1).optional(),
  /** With `rate`: the status is drawn from these each time (e.g. [429, 500, 503]). */
  statuses: z.array(z.number().int().min(400).max(599)).min(1).optional(),
});
export type Fault = z.output<typeof faultSchema>;

/** The vendor's own error body for a status, so the real client parses the failure as usual. */
export type ErrorBody = (status: number) => unknown;

/** Math.random unless a test pins the draws. */
export function createFaults(random: () => number = Math.random) {
  const pending: Fault[] = [];

  const matches = (fault: Fault, vendor: string, path: string) =>
    fault.vendor === vendor && (!fault.path || path.includes(fault.path));

  function take(vendor: string, path: string): Fault | undefined {
    // Queued faults first, in order; a standing one (rate) only for what they leave.
    const index = pending.findIndex(
      (fault) => fault.rate === undefined && matches(fault, vendor, path),
    );
    if (index >= 0) {
      const fault = pending[index]!;
      if (--fault.count === 0) pending.splice(index, 1);
      return fault;
    }
    const standing = pending.find(
      (fault) => fault.rate !== undefined && matches(fault, vendor, path),
    );
    // Each request is its own draw; the fault stays until reset.
    if (!standing || random() >= standing.rate!) return undefined;
    const statuses = standing.statuses ?? (standing.status === undefined ? [] : [standing.status]);
    const status = statuses[Math.floor(random() * statuses.length)];
    return { ...standing, ...(status === undefined ? {} : { status }) };
  }

  return {
    add: (fault: Fault) => pending.push({ ...fault }),
    list: () => pending.map((fault) => ({ ...fault })),
    reset: () => {
      pending.length = 0;
    },
    /**
     * Express middleware for one vendor's routes: applies the next queued fault, if any. With
     * `dropAfterHandling`, a `drop` lets the request take effect and then closes the connection
     * instead of answering: the lost response a client cannot tell from a lost request.
     */
    middleware(
      vendor: string,
      errorBody: ErrorBody,
      options: { dropAfterHandling?: boolean } = {},
    ) {
      return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
        if (req.path.startsWith('/_sandbox/')) return next();
        const fault = take(vendor, req.originalUrl);
        if (!fault) return next();
        if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        if (fault.drop && options.dropAfterHandling) {
          res.end = (() => {
            req.socket.destroy();
            return res;
          }) as Response['end'];
          return next();
        }
        if (fault.drop) {
          req.socket.destroy();
          return;
        }
        if (fault.status === undefined) return next();
        if (fault.retryAfterSeconds !== undefined)
          res.setHeader('Retry-After', String(fault.retryAfterSeconds));
        res.status(fault.status).json(errorBody(fault.status));
      };
    },
  };
}

export type Faults = ReturnType<typeof createFaults>;
