import { createHmac } from 'node:crypto';
import { sameBytes } from '../../../connectors/signatures.js';

/** `x-example-signature: <hex HMAC-SHA256 of the body>`. */
export const signExample = (secret: string, body: Buffer) =>
  createHmac('sha256', secret).update(body).digest('hex');

export function verifyExample(secret: string, body: Buffer, given: string | undefined): boolean {
  if (!given || !/^[0-9a-f]{64}$/.test(given)) return false;
  return sameBytes(Buffer.from(given, 'hex'), Buffer.from(signExample(secret, body), 'hex'));
}
