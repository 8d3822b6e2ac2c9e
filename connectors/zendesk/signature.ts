import { createHmac } from 'node:crypto';
import { sameBytes, withinSignatureWindow } from '../signatures.js';

/**
 * `X-Zendesk-Webhook-Signature`: base64(HMAC-SHA256(secret, timestamp + raw body)), where the
 * timestamp is the `X-Zendesk-Webhook-Signature-Timestamp` header as sent (ISO 8601, e.g.
 * 2025-01-08T14:25:30Z), joined to the body with no separator.
 */
export function signZendeskWebhook(secret: string, timestamp: string, rawBody: Buffer): string {
  return createHmac('sha256', secret).update(timestamp, 'utf8').update(rawBody).digest('base64');
}

/** True only for a signature over these exact bytes, made within the window around `now`. */
export function verifyZendeskSignature(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  rawBody: Buffer,
  now: Date = new Date(),
): boolean {
  if (!timestamp || !signature) return false;
  const signedAt = Date.parse(timestamp);
  if (Number.isNaN(signedAt)) return false;
  if (!withinSignatureWindow(signedAt, now)) return false;
  const expected = Buffer.from(signZendeskWebhook(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  return sameBytes(given, expected);
}
