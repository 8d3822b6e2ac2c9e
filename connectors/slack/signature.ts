import { createHmac } from 'node:crypto';
import { sameBytes, withinSignatureWindow } from '../signatures.js';

/** `v0=<hex HMAC-SHA256 of "v0:<timestamp>:<raw body>">`, as Slack signs requests. */
export function signSlackRequest(
  signingSecret: string,
  timestamp: string,
  rawBody: Buffer,
): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest('hex')}`;
}

export function verifySlackSignature(
  signingSecret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  rawBody: Buffer,
  now: Date = new Date(),
): boolean {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (!withinSignatureWindow(Number(timestamp) * 1000, now)) return false;
  const expected = Buffer.from(signSlackRequest(signingSecret, timestamp, rawBody));
  const given = Buffer.from(signature);
  return sameBytes(given, expected);
}
