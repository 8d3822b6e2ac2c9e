import type { Request, RequestHandler, Response } from 'express';
import { Router } from 'express';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { bearerAuth } from './admin-auth.js';

/**
 * What a webhook delivery came to: the router's verdict where it ran (accepted, duplicate,
 * ignored, quarantined), else the HTTP status that ended it (400, 401, 413, 503 ...).
 */
export type WebhookOutcome = 'accepted' | 'duplicate' | 'ignored' | 'quarantined' | `${number}`;

/** Numbers read when Prometheus scrapes, from Temporal and the store. */
export interface ScrapedSources {
  /** Runs of each journey by Temporal status (Running, Completed, Failed ...). */
  journeys?: () => Promise<{ journey: string; status: string; count: number }[]>;
  /** Support handoffs still open (their workflows running). */
  openHandoffs?: () => Promise<number>;
  /** Per CRM: how long the oldest member change not yet written has waited. */
  syncLag?: () => Promise<{ crm: string; lagMs: number }[]>;
  /** Runs an exit ended, by journey and reason (the `exit_when` event). */
  exits?: () => Promise<{ journey: string; reason: string; count: number }[]>;
  /** Every worker's vendor calls so far, per connector (the console's connector health). */
  vendorCalls?: () => Promise<
    { connector: string; calls: number; errors: number; rateLimited: boolean }[]
  >;
}

/** One hub process's metrics, in a registry of its own (never prom-client's global one). */
export interface HubMetrics {
  registry: Registry;
  webhook(vendor: string, outcome: WebhookOutcome, seconds: number): void;
  event(type: string): void;
}

/** Reads one source, logging (never throwing) when it cannot answer: a scrape still succeeds. */
async function readSafely<T>(logger: Logger, what: string, read: () => Promise<T>) {
  try {
    return await read();
  } catch (error) {
    logger.warn({ err: error, metric: what }, 'metric source did not answer; left out of scrape');
    return undefined;
  }
}

export function createMetrics(sources: ScrapedSources, logger: Logger): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'townhall_' });
  const webhooks = new Counter({
    name: 'townhall_webhooks_total',
    help: 'Webhook deliveries by vendor and outcome (accepted, duplicate, ignored, quarantined, or the HTTP status: 400, 401, 413, 503)',
    labelNames: ['vendor', 'outcome'] as const,
    registers: [registry],
  });
  const ack = new Histogram({
    name: 'townhall_webhook_ack_seconds',
    help: 'Time from a webhook arriving to its answer, by vendor',
    labelNames: ['vendor'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const events = new Counter({
    name: 'townhall_events_total',
    help: 'New events accepted, by normalized type: from webhooks, and from the gateway and pollers when they run in this process',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'townhall_journeys',
    help: 'Journey runs by journey and Temporal status, as Temporal counts them at scrape time',
    labelNames: ['journey', 'status'] as const,
    registers: [registry],
    async collect() {
      const counts = sources.journeys && (await readSafely(logger, 'journeys', sources.journeys));
      this.reset();
      for (const { journey, status, count } of counts ?? []) this.set({ journey, status }, count);
    },
  });
  new Gauge({
    name: 'townhall_handoffs_open',
    help: 'Support handoffs open (a thread whose ticket is not yet closed)',
    registers: [registry],
    async collect() {
      const open =
        sources.openHandoffs && (await readSafely(logger, 'handoffs', sources.openHandoffs));
      if (open !== undefined) this.set(open);
    },
  });
  new Gauge({
    name: 'townhall_crm_sync_lag_seconds',
    help: 'Per CRM: how long the oldest member change not yet written has waited',
    labelNames: ['crm'] as const,
    registers: [registry],
    async collect() {
      const lags = sources.syncLag && (await readSafely(logger, 'sync lag', sources.syncLag));
      this.reset();
      for (const { crm, lagMs } of lags ?? []) this.set({ crm }, lagMs / 1000);
    },
  });
  new Gauge({
    name: 'townhall_journey_exits',
    help: 'Journey runs an exit ended, by journey and reason (the exit_when event), at scrape time',
    labelNames: ['journey', 'reason'] as const,
    registers: [registry],
    async collect() {
      const exits = sources.exits && (await readSafely(logger, 'exits', sources.exits));
      this.reset();
      for (const { journey, reason, count } of exits ?? []) this.set({ journey, reason }, count);
    },
  });
  vendorSeries(registry, sources, logger);
  return {
    registry,
    webhook(vendor, outcome, seconds) {
      webhooks.inc({ vendor, outcome });
      ack.observe({ vendor }, seconds);
    },
    event(type) {
      events.inc({ type });
    },
  };
}

/**
 * Vendor calls as every worker counted them (store/connector-health.ts), read at scrape time:
 * totals only grow, so they are counters, set from the stored sums.
 */
function vendorSeries(registry: Registry, sources: ScrapedSources, logger: Logger) {
  type Rows = Awaited<ReturnType<NonNullable<ScrapedSources['vendorCalls']>>>;
  // prom-client collects every series at once: the three below share one read per scrape.
  let reading: { at: number; rows: Promise<Rows> } | undefined;
  const read = () => {
    if (!reading || Date.now() - reading.at > 1_000)
      reading = {
        at: Date.now(),
        rows: sources.vendorCalls
          ? readSafely(logger, 'vendor calls', sources.vendorCalls).then((rows) => rows ?? [])
          : Promise.resolve([]),
      };
    return reading.rows;
  };
  new Counter({
    name: 'townhall_vendor_calls_total',
    help: 'Calls to each connector’s vendor API, by every worker',
    labelNames: ['connector'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { connector, calls } of await read()) this.inc({ connector }, calls);
    },
  });
  new Counter({
    name: 'townhall_vendor_errors_total',
    help: 'Vendor calls that failed (any ConnectorError code, rate limits included)',
    labelNames: ['connector'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { connector, errors } of await read()) this.inc({ connector }, errors);
    },
  });
  new Gauge({
    name: 'townhall_vendor_rate_limited',
    help: '1 while a vendor’s advertised wait (429 Retry-After) has not run out',
    labelNames: ['connector'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { connector, rateLimited } of await read())
        this.set({ connector }, rateLimited ? 1 : 0);
    },
  });
}

/** Where a webhook handler leaves its verdict for the observer below. */
export function noteWebhookOutcome(res: Response, outcome: WebhookOutcome, eventType?: string) {
  res.locals.webhookOutcome = outcome;
  if (eventType) res.locals.eventType = eventType;
}

/**
 * Runs before the body parser, so a delivery refused for its size (413) or shape (400) is
 * counted too; the handler's verdict, when it reached one, names the outcome.
 */
export function observeWebhook(metrics: HubMetrics, vendor: string): RequestHandler {
  return (_req: Request, res: Response, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const outcome = (res.locals.webhookOutcome as WebhookOutcome | undefined) ?? res.statusCode;
      metrics.webhook(vendor, `${outcome}`, seconds(started));
      // Duplicates are the same event again: only new ones count as events.
      const type = res.locals.eventType as string | undefined;
      if (type && outcome === 'accepted') metrics.event(type);
    });
    next();
  };
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

/** `GET /metrics` in Prometheus's text format, behind the admin token like every admin route. */
export function metricsRoutes(metrics: HubMetrics, token: string): RequestHandler {
  const router = Router();
  router.get('/metrics', bearerAuth(token), async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
}
