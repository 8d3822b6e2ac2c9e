import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  PAYLOAD_KEY_FILE,
  PayloadKeyError,
  parsePayloadKeys,
  resolvePayloadKeys,
} from '../../runtime/codec/keys.js';

const bytes = (n: number) => randomBytes(n);
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'townhall-keys-'));

/** The error a bad list gives; the test also checks that no key text is in it. */
function refusal(text: string, secrets: string[] = []): string {
  let message = '';
  try {
    parsePayloadKeys(text);
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadKeyError);
    message = (error as Error).message;
  }
  expect(message).not.toBe('');
  for (const secret of secrets) expect(message).not.toContain(secret);
  return message;
}

describe('TOWNHALL_PAYLOAD_KEYS', () => {
  it('reads <id>:<base64> entries: the first encrypts, every one decrypts', () => {
    const [a, b] = [bytes(32), bytes(32)];
    const keys = parsePayloadKeys(
      ` k2:${a.toString('base64')} ,\nk1:${b.toString('base64url').replace(/=+$/, '')}\n`,
    );
    expect(keys.current).toEqual({ id: 'k2', key: a });
    expect([...keys.byId.keys()]).toEqual(['k2', 'k1']);
    expect(keys.byId.get('k1')).toEqual(b);
  });

  it('says what is wrong with an entry, and never repeats key material', () => {
    const raw = bytes(32).toString('base64');
    expect(refusal('')).toContain('lists no key');
    expect(refusal(raw, [raw])).toContain('entry 1 is not <id>:<base64 key> (it has no id)');
    expect(refusal(`bad id!:${raw}`, [raw])).toContain('a key id is 1-64 letters');
    const notBase64 = 'this is not base64 at all';
    expect(refusal(`k1:${notBase64}`, [notBase64])).toContain('(id "k1"): the key is not base64');
    const short = bytes(16).toString('base64');
    expect(refusal(`k1:${raw},k0:${short}`, [raw, short])).toContain(
      'entry 2 (id "k0"): the key is 16 bytes, AES-256 needs 32',
    );
    const long = bytes(33).toString('base64');
    expect(refusal(`k1:${long}`, [long])).toContain('the key is 33 bytes');
    expect(refusal(`k1:${raw},k1:${raw}`, [raw])).toContain('the id "k1" is listed twice');
    expect(refusal(`k1:${raw}`.replace(/.$/, '!'), [raw.slice(0, -1)])).toContain('not base64');
    expect(refusal('k1:change-me-payload-keys')).toContain('openssl rand -base64 32');
  });
});

describe('where the keys come from', () => {
  const listed = () => `k1:${bytes(32).toString('base64')}`;

  it('a split role needs the variable, and makes no key of its own', () => {
    const dir = tmp();
    expect(() => resolvePayloadKeys('deployment', {}, dir)).toThrow(
      /TOWNHALL_PAYLOAD_KEYS is required.*openssl rand -base64 32/,
    );
    expect(existsSync(path.join(dir, PAYLOAD_KEY_FILE))).toBe(false);
    expect(
      resolvePayloadKeys('deployment', { TOWNHALL_PAYLOAD_KEYS: listed() }, dir).current.id,
    ).toBe('k1');
  });

  it('`townhall start` without it makes a key once, readable by its owner only, and keeps it', () => {
    const dir = path.join(tmp(), 'data');
    const first = resolvePayloadKeys('embedded', {}, dir);
    const file = path.join(dir, PAYLOAD_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.current.key).toHaveLength(32);
    // A restart reads the same key: histories written before it stay readable.
    const again = resolvePayloadKeys('embedded', {}, dir);
    expect(again.current).toEqual(first.current);
    // The CLI beside it reads the same file.
    expect(resolvePayloadKeys('cli', {}, dir).current).toEqual(first.current);
    // A copy that lost its mode is tightened.
    chmodSync(file, 0o644);
    resolvePayloadKeys('embedded', {}, dir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('the variable wins over the file, and an empty variable counts as unset', () => {
    const dir = tmp();
    const keys = resolvePayloadKeys('embedded', { TOWNHALL_PAYLOAD_KEYS: listed() }, dir);
    expect(keys.current.id).toBe('k1');
    expect(existsSync(path.join(dir, PAYLOAD_KEY_FILE))).toBe(false);
    expect(resolvePayloadKeys('embedded', { TOWNHALL_PAYLOAD_KEYS: ' ' }, dir).current.id).toBe(
      'local-1',
    );
  });

  it('the CLI without the variable or a local hub’s file says what to set', () => {
    expect(() => resolvePayloadKeys('cli', {}, tmp())).toThrow('TOWNHALL_PAYLOAD_KEYS is required');
  });

  it('a key file with a broken entry is refused naming the file, not the key', () => {
    const dir = tmp();
    const short = bytes(8).toString('base64');
    writeFileSync(path.join(dir, PAYLOAD_KEY_FILE), `local-2:${short}\n`, { mode: 0o600 });
    let message = '';
    try {
      resolvePayloadKeys('embedded', {}, dir);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`${path.join(dir, PAYLOAD_KEY_FILE)}: entry 1 (id "local-2")`);
    expect(message).not.toContain(short);
    expect(readFileSync(path.join(dir, PAYLOAD_KEY_FILE), 'utf8')).toBe(`local-2:${short}\n`);
  });
});
