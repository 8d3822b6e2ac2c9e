import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY, ValueError } from '@temporalio/common';
// CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import type { PayloadKeys } from './keys.js';
import { PAYLOAD_KEYS_VARIABLE } from './keys.js';

/** What an encrypted payload says it is; the Temporal UI and CLI send such payloads to /codec. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Which key encrypted it: an id, in clear, so rotation can find the old key. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const { Payload: PayloadProto } = proto.temporal.api.common.v1;
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/**
 * AES-256-GCM over the whole payload (its metadata too, so even the encoding and type names are
 * hidden): `data` is IV (12 random bytes, new for every payload) + ciphertext + tag (16). The
 * key id is the additional authenticated data, so a payload relabelled with another id fails.
 * Decode passes through payloads that are not encrypted (histories from before the codec,
 * replay fixtures), so turning encryption on needs no migration.
 */
export class PayloadEncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: PayloadKeys) {}

  /** The id new payloads are encrypted with. */
  get currentKeyId(): string {
    return this.keys.current.id;
  }

  // A refusal is a rejected promise, as the SDK expects, never a synchronous throw.
  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() => payloads.map((payload) => this.encrypt(payload)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve().then(() => payloads.map((payload) => this.decrypt(payload)));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.keys.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(id, 'utf8'));
    const plain = PayloadProto.encode(payload).finish();
    const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING, 'utf8'),
        [KEY_ID_METADATA]: Buffer.from(id, 'utf8'),
      },
      data,
    };
  }

  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || text(encoding) !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!idBytes) throw new ValueError(`an encrypted payload has no ${KEY_ID_METADATA}`);
    const id = text(idBytes);
    const key = this.keys.byId.get(id);
    if (!key)
      throw new ValueError(
        `a payload was encrypted with key id "${id}", which ${PAYLOAD_KEYS_VARIABLE} does not list (it lists ${[...this.keys.byId.keys()].map((known) => `"${known}"`).join(', ')}): add that key back, after the current one, to read it`,
      );
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new ValueError(`an encrypted payload (key id "${id}") is too short to be one`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(id, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new ValueError(
        `an encrypted payload (key id "${id}") failed authentication: it was altered, or the key listed as "${id}" is not the one it was encrypted with`,
      );
    }
    return PayloadProto.decode(plain);
  }
}
