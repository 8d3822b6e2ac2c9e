import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/server.js';
import type { Check } from './health.js';
import { failingChecks } from './health.js';
import type { HubMetrics } from './metrics.js';
import { observeWebhook } from './metrics.js';
import { DEFAULT_RATE_LIMITS, clientRateLimits } from './rate-limit.js';
import { securityHeaders } from './security-headers.js';

export interface AppDeps {
  logger: Logger;
  checks: Record<string, Check>;
  /** POST routes that receive signed vendor webhooks, path → handler (see server/webhooks.ts). */
  webhooks: Record<string, RequestHandler & { vendor?: string }>;
  /** Counts each delivery by vendor and outcome, and times its answer (server/metrics.ts). */
  metrics?: HubMetrics | undefined;
  /**
   * Every other route: unsubscribe links (public, signed) and the admin routes, which check the
   * admin token themselves. All of them are rate limited per client.
   */
  routers?: RequestHandler[];
  /** `server.trustProxy` and `server.rateLimit`; absent: no proxy trusted, the default limits. */
  security?: Pick<ServerConfig, 'trustProxy' | 'rateLimit'> | undefined;
}

/** Webhook bodies stay raw bytes: signatures are computed over exactly what was sent. */
const rawBody = express.raw({ type: () => true, limit: '1mb' });

export function createApp(deps: AppDeps) {
  const app = express();
  app.disable('x-powered-by');
  // Off unless configured: a client could otherwise name its own address (X-Forwarded-For).
  app.set('trust proxy', deps.security?.trustProxy ?? false);
  app.use(securityHeaders());

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const failing = await failingChecks(deps.checks);
    res
      .status(failing.length === 0 ? 200 : 503)
      .json(failing.length === 0 ? { status: 'ready' } : { status: 'not ready', failing });
  });

  for (const [path, handler] of Object.entries(deps.webhooks)) {
    // Observed before the body is read: a body refused as too large (413) is counted too.
    const observe = deps.metrics ? [observeWebhook(deps.metrics, handler.vendor ?? path)] : [];
    app.post(path, ...observe, rawBody, handler);
  }
  // Vendors' webhooks and health checks are above: vendors deliver in bursts from few addresses.
  app.use(clientRateLimits(deps.security?.rateLimit ?? DEFAULT_RATE_LIMITS, deps.logger));
  for (const router of deps.routers ?? []) app.use(router);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  // body-parser reports oversize (413) and unreadable (400) bodies as errors with a status.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status;
    if (status === 413) {
      res.status(413).json({ error: 'body larger than 1 MiB' });
      return;
    }
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: 'unreadable request body' });
      return;
    }
    deps.logger.error({ err: error }, 'unhandled error');
    res.status(500).json({ error: 'internal error' });
  });

  return app;
}
