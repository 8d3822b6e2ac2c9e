import { createHmac } from 'node:crypto';
import { sameBytes } from '../signatures.js';

/** `sha1=<hex HMAC-SHA1 of the raw body>`, keyed with the app's client secret (X-Hub-Signature). */
export function signIntercomBody(clientSecret: string, rawBody: Buffer): string {
  return `sha1=${createHmac('sha1', clientSecret).update(rawBody).digest('hex')}`;
}

/**
 * Checks `X-Hub-Signature` over the exact bytes received (a re-serialized body fails).
 * Intercom signs the body only: no timestamp, so a captured delivery stays valid forever.
 * Replays are absorbed by the notification id inside the signed body, which becomes the event
 * id (see inbound.ts), never by anything in the unsigned headers.
 */
export function verifyIntercomSignature(
  clientSecret: string,
  signature: string | undefined,
  rawBody: Buffer,
): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signIntercomBody(clientSecret, rawBody));
  const given = Buffer.from(signature);
  return sameBytes(given, expected);
}
