import type { KeyObject } from 'node:crypto';
import { createPublicKey, sign, verify } from 'node:crypto';
import { withinSignatureWindow } from '../signatures.js';

/** DER SubjectPublicKeyInfo header for a raw 32-byte Ed25519 key (RFC 8410). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const keys = new Map<string, KeyObject>();

/** The KeyObject for the 64-hex-character public key on the app's General Information page. */
export function discordPublicKey(hex: string): KeyObject {
  const cached = keys.get(hex);
  if (cached) return cached;
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error('a Discord public key is 64 hex characters');
  const key = createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]),
    format: 'der',
    type: 'spki',
  });
  keys.set(hex, key);
  return key;
}

/** Hex signature of `timestamp + body`, as Discord sends in X-Signature-Ed25519. */
export function signDiscordRequest(privateKey: KeyObject, timestamp: string, rawBody: Buffer) {
  return sign(null, Buffer.concat([Buffer.from(timestamp), rawBody]), privateKey).toString('hex');
}

/** True only for a valid signature over these exact bytes, with a timestamp inside the window. */
export function verifyDiscordSignature(
  publicKeyHex: string,
  timestamp: string | undefined,
  signature: string | undefined,
  rawBody: Buffer,
  now: Date = new Date(),
): boolean {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  if (!signature || !/^[0-9a-f]{128}$/i.test(signature)) return false;
  // Discord documents no freshness window; five minutes (as for Slack) stops later replays.
  if (!withinSignatureWindow(Number(timestamp) * 1000, now)) return false;
  try {
    return verify(
      null,
      Buffer.concat([Buffer.from(timestamp), rawBody]),
      discordPublicKey(publicKeyHex),
      Buffer.from(signature, 'hex'),
    );
  } catch {
    return false;
  }
}
