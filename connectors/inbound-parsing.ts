import type { z } from 'zod';
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
