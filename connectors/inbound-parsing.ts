import { z } from 'zod';
import type { InboundRequest } from './types.js';
import { MalformedPayloadError } from './types.js';

/** A request header (Node lower-cases names); the first value when it was sent twice. */
export function header(request: InboundRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The raw body as JSON, or a MalformedPayloadError (the route answers 400). */
export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new MalformedPayloadError('body is not JSON');
  }
}

/**
 * `body` checked against `schema`, or a MalformedPayloadError naming each bad path (prefixed
 * with `where`) and what is wrong: never the values, which may be personal data.
 */
export function parseWith<T>(schema: z.ZodType<T>, body: unknown, where = ''): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues
    .map(
      (issue) =>
        `${[where, ...issue.path].filter(Boolean).join('.') || '(body)'}: ${issue.message}`,
    )
    .join('; ');
  throw new MalformedPayloadError(issues);
}

/** As far as a Date reaches: 100,000,000 days either side of 1970, in milliseconds. */
const MAX_DATE_MS = 8.64e15;

/**
 * Epoch milliseconds a Date can hold. Beyond them `toISOString` throws a RangeError, which a
 * signed delivery would turn into a 500 (and the vendor's retries, forever) instead of a 400.
 */
export const epochMs = z.number().int().min(-MAX_DATE_MS).max(MAX_DATE_MS);

/** Epoch seconds a Date can hold (see epochMs). */
export const epochSeconds = z
  .number()
  .int()
  .min(-MAX_DATE_MS / 1000)
  .max(MAX_DATE_MS / 1000);
