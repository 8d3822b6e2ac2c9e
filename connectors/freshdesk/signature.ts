import { sameBytes } from '../signatures.js';

/** The header the automation rules carry the shared secret in (Freshdesk signs nothing). */
export const SECRET_HEADER = 'x-townhall-secret';

/**
 * Freshdesk's automation webhooks have no signature: the rule sends a shared secret as a header,
 * checked here in constant time over the raw bytes (lengths first: timingSafeEqual throws on a
 * mismatch). The body is not covered, so redeliveries are absorbed by event ids (inbound.ts),
 * and the secret must travel over HTTPS only.
 */
export function verifySharedSecret(secret: string, given: string | undefined): boolean {
  if (!given) return false;
  return sameBytes(Buffer.from(given, 'utf8'), Buffer.from(secret, 'utf8'));
}
