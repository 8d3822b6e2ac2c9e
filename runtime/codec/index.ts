// Encrypted Temporal payloads: the keys (keys.ts), the codec (payload-codec.ts), and the data
// converter every townhall client and worker is built with (data-converter.ts).
import type { KeyUser } from './keys.js';
import { resolvePayloadKeys } from './keys.js';
import { PayloadEncryptionCodec } from './payload-codec.js';

export { PayloadKeyError, PAYLOAD_KEYS_VARIABLE, parsePayloadKeys } from './keys.js';
export type { PayloadKeys } from './keys.js';
export { PayloadEncryptionCodec } from './payload-codec.js';

/**
 * The codec of this process: keys from TOWNHALL_PAYLOAD_KEYS, or (for `townhall start` and the
 * CLI commands beside it) the key file in the data dir. Throws PayloadKeyError with a sentence
 * that says what to set.
 */
export function payloadCodecFor(
  user: KeyUser,
  env: NodeJS.ProcessEnv,
  dataDir: string,
): PayloadEncryptionCodec {
  return new PayloadEncryptionCodec(resolvePayloadKeys(user, env, dataDir));
}
