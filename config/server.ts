import express from 'express';
import { z } from 'zod';
import { port } from '../connectors/config-fields.js';
import { duration } from './duration.js';

/** Whole numbers, also from `${ENV}` interpolation (which gives text). */
const wholeNumber = z.preprocess(
  (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
  z.number().int().min(0),
);

/** Whether express understands a `trust proxy` value (it throws on a bad address or range). */
function trustProxyValid(value: unknown): boolean {
  try {
    express().set('trust proxy', value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Per-client limits on the routes people and scripts call (unsubscribe links, the admin API, the
 * codec endpoint), not on vendor webhooks, which arrive in bursts from few addresses.
 */
const rateLimit = z
  .strictObject({
    window: duration.prefault('1m').describe('The window each limit counts requests in'),
    unsubscribe: wholeNumber
      .default(30)
      .describe(
        'Requests to /unsubscribe/... per client per window (a person clicks once; mail scanners open links a few times); 0 turns the limit off',
      ),
    admin: wholeNumber
      .default(600)
      .describe(
        'Requests to the admin API and the codec endpoint per client per window (the Temporal UI decodes a history in bursts); 0 turns the limit off',
      ),
  })
  .prefault({});

export const serverConfigSchema = z
  .strictObject({
    port: port.default(3000),
    publicUrl: z
      .url()
      .optional()
      .describe(
        'Where members reach townhall (unsubscribe links); defaults to http://127.0.0.1:<port>',
      ),
    trustProxy: z
      .union([z.boolean(), wholeNumber, z.string().min(1)])
      .default(false)
      .refine(trustProxyValid, {
        message:
          'expected true, a number of proxy hops, or addresses, subnets or loopback, linklocal, uniquelocal (comma-separated)',
      })
      .describe(
        "Which proxies in front of townhall to believe about the client's address and https (express's `trust proxy`): off by default, as clients could otherwise pick their own address with X-Forwarded-For and escape the rate limits; set it to the proxy's address or hop count behind a load balancer",
      ),
    rateLimit,
  })
  .prefault({});

export type ServerConfig = z.output<typeof serverConfigSchema>;
