import pino from 'pino';

/** Paths that may carry secrets or PII; pino replaces them before anything is written. */
const SECRET_KEYS = [
  'token',
  'accessToken',
  'botToken',
  'apiKey',
  'apiToken',
  'clientSecret',
  'signingSecret',
  'webhookSecret',
  'unsubscribeSecret',
  'pass',
  'password',
  'email',
];
const REDACT = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
  '*.member.email',
  'headers.authorization',
  'headers.cookie',
  'headers["x-slack-signature"]',
  'headers["x-signature-ed25519"]',
  'headers["x-discourse-event-signature"]',
  'headers["x-hub-signature"]',
  'headers["x-hubspot-signature-v3"]',
  'headers["x-zendesk-webhook-signature"]',
];

/**
 * Database drivers attach the failed statement and its parameters to their errors (PGlite:
 * `query`, `params`; pg: `where`, `detail`), and those hold event payloads: member emails,
 * names, message text. Errors are logged without them.
 */
const DROPPED_ERROR_FIELDS = ['query', 'params', 'where', 'detail', 'parameters', 'internalQuery'];

function strip(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null || depth > 5) return;
  const record = value as Record<string, unknown>;
  for (const field of DROPPED_ERROR_FIELDS) delete record[field];
  strip(record.cause, depth + 1);
}

export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized: unknown = pino.stdSerializers.err(error);
  strip(serialized, 0);
  return serialized;
}

export function createLogger(name = 'townhall') {
  return pino({
    name,
    level: process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { err: serializeError },
  });
}

export type { Logger } from 'pino';
