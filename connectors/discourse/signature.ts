import { createHmac } from 'node:crypto';
import { sameBytes } from '../signatures.js';

/** `sha256=<hex HMAC-SHA256 of the raw body>`, as Discourse signs webhook deliveries. */
export function signDiscourseBody(secret: string, rawBody: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/**
 * Checks `X-Discourse-Event-Signature` over the exact bytes received. Discourse signs only the
 * body: no timestamp and no headers, so a captured delivery stays valid forever. Replay
 * protection therefore comes from the event id, and that id must be taken from the signed body
 * (see eventIdFor in inbound.ts), never from the unsigned X-Discourse-Event-Id header.
 */
export function verifyDiscourseSignature(
  secret: string,
  signature: string | undefined,
  rawBody: Buffer,
): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signDiscourseBody(secret, rawBody));
  const given = Buffer.from(signature);
  return sameBytes(given, expected);
}
