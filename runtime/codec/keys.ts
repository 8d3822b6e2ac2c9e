import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The variable that holds the payload keys: `<id>:<base64 of 32 bytes>`, comma-separated. */
export const PAYLOAD_KEYS_VARIABLE = 'TOWNHALL_PAYLOAD_KEYS';

/** Where `townhall start` keeps the key it made, when the variable is unset (inside the data dir). */
export const PAYLOAD_KEY_FILE = 'payload-keys';

const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const HOW_TO_MAKE = `make one with: echo "k1:$(openssl rand -base64 32)"`;

/** A named AES-256 key; the id travels with every payload it encrypts, the key never does. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** The first key encrypts; every key decrypts (older keys stay listed until their runs are gone). */
export interface PayloadKeys {
  current: PayloadKey;
  byId: ReadonlyMap<string, Buffer>;
}

/** A bad key list. The message names the source, the entry and the id, never key material. */
export class PayloadKeyError extends Error {
  override name = 'PayloadKeyError';
}

/** Standard or URL-safe base64, padded or not: the bytes, or undefined when it is not base64. */
function base64Bytes(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return undefined;
  const url = /[-_]/.test(text);
  if (url && /[+/]/.test(text)) return undefined;
  const bytes = Buffer.from(text, url ? 'base64url' : 'base64');
  // Buffer.from skips what it cannot read; a round trip proves nothing was skipped.
  const again = bytes.toString(url ? 'base64url' : 'base64').replace(/=+$/, '');
  return again === text.replace(/=+$/, '') ? bytes : undefined;
}

/**
 * Parses `k2:<base64>,k1:<base64>` (commas or newlines between entries; blank entries and `#`
 * comment lines ignored). `source` names where the text came from, for the error messages.
 */
export function parsePayloadKeys(
  text: string,
  source: string = PAYLOAD_KEYS_VARIABLE,
): PayloadKeys {
  const entries = text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !entry.startsWith('#'));
  if (entries.length === 0) throw new PayloadKeyError(`${source} lists no key; ${HOW_TO_MAKE}`);
  const byId = new Map<string, Buffer>();
  const keys = entries.map((entry, index): PayloadKey => {
    const where = `${source}: entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon <= 0)
      throw new PayloadKeyError(`${where} is not <id>:<base64 key> (it has no id); ${HOW_TO_MAKE}`);
    const id = entry.slice(0, colon).trim();
    if (!KEY_ID.test(id))
      throw new PayloadKeyError(
        `${where}: a key id is 1-64 letters, digits, '.', '_' or '-' (the id is stored in clear with every payload)`,
      );
    const key = base64Bytes(entry.slice(colon + 1).trim());
    if (!key)
      throw new PayloadKeyError(`${where} (id "${id}"): the key is not base64; ${HOW_TO_MAKE}`);
    if (key.length !== KEY_BYTES)
      throw new PayloadKeyError(
        `${where} (id "${id}"): the key is ${key.length} bytes, AES-256 needs ${KEY_BYTES}; ${HOW_TO_MAKE}`,
      );
    if (byId.has(id))
      throw new PayloadKeyError(`${where}: the id "${id}" is listed twice; ids must be unique`);
    byId.set(id, key);
    return { id, key };
  });
  return { current: keys[0]!, byId };
}

/**
 * The key file of a one-process hub: read when it exists, made once (mode 0600, never
 * overwritten: a second process racing to make it reads the winner's) when it does not.
 */
function keyFile(dataDir: string): PayloadKeys {
  const file = path.join(dataDir, PAYLOAD_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const line = `local-1:${randomBytes(KEY_BYTES).toString('base64')}\n`;
    try {
      writeFileSync(file, line, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  // A key anyone on the machine can read is no key: tighten a copy that lost its mode (when it
  // is ours to change; a read-only mount stays as its owner made it).
  if ((statSync(file).mode & 0o077) !== 0)
    try {
      chmodSync(file, 0o600);
    } catch {
      // not ours: the key is still read
    }
  return parsePayloadKeys(readFileSync(file, 'utf8'), file);
}

/**
 * Who asks: `embedded` is `townhall start` (one process on this machine: a key is made and kept
 * in the data dir when the variable is unset); `deployment` is a split role (`server`, `worker`,
 * `gateway`), which must be given the keys, since every replica needs the same ones; `cli` is a
 * command that reads runs (`journeys`, `sync`): the variable, else the local hub's key file.
 */
export type KeyUser = 'embedded' | 'deployment' | 'cli';

export function resolvePayloadKeys(
  user: KeyUser,
  env: NodeJS.ProcessEnv,
  dataDir: string,
): PayloadKeys {
  const listed = env.TOWNHALL_PAYLOAD_KEYS;
  if (listed !== undefined && listed.trim() !== '') return parsePayloadKeys(listed);
  if (user === 'embedded') return keyFile(dataDir);
  if (user === 'cli' && existsSync(path.join(dataDir, PAYLOAD_KEY_FILE))) return keyFile(dataDir);
  throw new PayloadKeyError(
    `${PAYLOAD_KEYS_VARIABLE} is required: Temporal payloads (members' emails, names, messages) are encrypted with it, and every server, worker and gateway must share it. Set it to <id>:<base64 of 32 bytes>; ${HOW_TO_MAKE}`,
  );
}
