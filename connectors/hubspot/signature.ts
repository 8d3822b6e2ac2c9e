import { createHmac } from 'node:crypto';
import { sameBytes, withinSignatureWindow } from '../signatures.js';

/**
 * HubSpot signs the URI with these characters decoded (Validating requests, v3): decode the same
 * ones, and only them, before hashing, so `%3A` in a query string does not break the match.
 */
const DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function decodeSignedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED[m.toUpperCase()]!);
}

/**
 * `X-HubSpot-Signature-v3`: base64 of HMAC-SHA256, keyed with the app's client secret, over
 * method + URI + raw body + `X-HubSpot-Request-Timestamp` (milliseconds), as UTF-8.
 */
export function signHubSpotV3(
  clientSecret: string,
  request: { method: string; uri: string; rawBody: Buffer; timestamp: string },
): string {
  return createHmac('sha256', clientSecret)
    .update(request.method.toUpperCase())
    .update(decodeSignedUri(request.uri))
    .update(request.rawBody)
    .update(request.timestamp)
    .digest('base64');
}

/**
 * True only for a signature over exactly these bytes and this URI, from within 5 minutes of
 * `now`. The comparison is constant-time over the decoded HMAC bytes.
 */
export function verifyHubSpotV3(
  clientSecret: string,
  request: {
    method: string;
    uri: string;
    rawBody: Buffer;
    timestamp: string | undefined;
    signature: string | undefined;
  },
  now: Date = new Date(),
): boolean {
  const { timestamp, signature } = request;
  if (!timestamp || !signature || !/^\d{1,15}$/.test(timestamp)) return false;
  // Node's base64 decoder skips stray characters; accept only a canonical SHA-256 digest.
  if (!/^[A-Za-z0-9+/]{43}=$/.test(signature)) return false;
  if (!withinSignatureWindow(Number(timestamp), now)) return false;
  const expected = Buffer.from(signHubSpotV3(clientSecret, { ...request, timestamp }), 'base64');
  const given = Buffer.from(signature, 'base64');
  return sameBytes(given, expected);
}
