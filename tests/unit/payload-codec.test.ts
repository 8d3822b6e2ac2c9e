import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { FailureConverter, Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAILURE_CONVERTER_PATH } from '../../runtime/codec/data-converter.js';
import { PayloadEncryptionCodec, parsePayloadKeys } from '../../runtime/codec/index.js';

const keyText = () => randomBytes(32).toString('base64');
const codecOf = (keys: string) => new PayloadEncryptionCodec(parsePayloadKeys(keys));
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const member = { email: 'ada.lovelace@example.com', name: 'Ada Lovelace', text: 'hello all' };
const plain = (value: unknown) => defaultPayloadConverter.toPayload(value);

/** Every byte of a payload, metadata included, as one string to search. */
const everything = (payload: Payload) =>
  [...Object.values(payload.metadata ?? {}), payload.data].map(text).join('\n');

describe('the payload codec', () => {
  it('encrypts the whole payload, metadata too, and gives it back exactly', async () => {
    const codec = codecOf(`k1:${keyText()}`);
    const original = plain(member);
    const [encrypted] = await codec.encode([original]);
    expect(text(encrypted!.metadata!.encoding)).toBe('binary/encrypted');
    expect(text(encrypted!.metadata!['encryption-key-id'])).toBe('k1');
    expect(Object.keys(encrypted!.metadata!).sort()).toEqual(['encoding', 'encryption-key-id']);
    const seen = everything(encrypted!);
    for (const secret of [member.email, member.name, 'json/plain'])
      expect(seen).not.toContain(secret);

    const [decrypted] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decrypted!)).toEqual(member);
    expect(text(decrypted!.metadata!.encoding)).toBe('json/plain');
  });

  it('uses a new IV for every payload: the same value never encrypts the same way twice', async () => {
    const codec = codecOf(`k1:${keyText()}`);
    const [a, b] = await codec.encode([plain(member), plain(member)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    expect(Buffer.from(a!.data!).subarray(0, 12)).not.toEqual(
      Buffer.from(b!.data!).subarray(0, 12),
    );
  });

  it('round-trips any payload', async () => {
    const codec = codecOf(`k1:${keyText()}`);
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1 }), fc.uint8Array()),
        fc.uint8Array(),
        async (metadata, data) => {
          const [encrypted] = await codec.encode([{ metadata, data }]);
          const [back] = await codec.decode([encrypted!]);
          expect(Object.keys(back!.metadata ?? {}).sort()).toEqual(Object.keys(metadata).sort());
          for (const [key, value] of Object.entries(metadata))
            expect(Buffer.from(back!.metadata![key]!)).toEqual(Buffer.from(value));
          expect(Buffer.from(back!.data ?? [])).toEqual(Buffer.from(data));
        },
      ),
      { seed: 13, numRuns: 200 },
    );
  });

  it('rotates: the new first key encrypts, a payload made with the old key still decrypts', async () => {
    const k1 = keyText();
    const before = codecOf(`k1:${k1}`);
    const [old] = await before.encode([plain(member)]);

    const after = codecOf(`k2:${keyText()}, k1:${k1}`);
    expect(after.currentKeyId).toBe('k2');
    const [again] = await after.decode([old!]);
    expect(defaultPayloadConverter.fromPayload(again!)).toEqual(member);
    const [fresh] = await after.encode([plain(member)]);
    expect(text(fresh!.metadata!['encryption-key-id'])).toBe('k2');

    // A process still on the old list cannot read the new key's payloads, and says why.
    await expect(before.decode([fresh!])).rejects.toThrow(
      'a payload was encrypted with key id "k2", which TOWNHALL_PAYLOAD_KEYS does not list (it lists "k1")',
    );
  });

  it('refuses a tampered payload, or one relabelled with another key id, without leaking a key', async () => {
    const k1 = keyText();
    const k2 = keyText();
    const codec = codecOf(`k1:${k1},k2:${k2}`);
    const [encrypted] = await codec.encode([plain(member)]);

    const flipped = Buffer.from(encrypted!.data!);
    flipped[20]! ^= 0x01;
    const tampered = { ...encrypted!, data: flipped };
    const error = await codec.decode([tampered]).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('key id "k1") failed authentication');
    for (const key of [k1, k2]) expect((error as Error).message).not.toContain(key);

    const relabelled = {
      metadata: { ...encrypted!.metadata, 'encryption-key-id': Buffer.from('k2') },
      data: encrypted!.data,
    };
    await expect(codec.decode([relabelled])).rejects.toThrow('key id "k2") failed authentication');

    const cut = { ...encrypted!, data: Buffer.from(encrypted!.data!).subarray(0, 20) };
    await expect(codec.decode([cut])).rejects.toThrow('too short');
  });

  it('passes through payloads that are not encrypted (histories from before the codec)', async () => {
    const codec = codecOf(`k1:${keyText()}`);
    const old = plain(member);
    const nothing = plain(undefined);
    const decoded = await codec.decode([old, nothing]);
    expect(decoded[0]).toBe(old);
    expect(decoded[1]).toBe(nothing);
  });
});

describe('the failure converter', () => {
  it('moves a failure’s message and stack into a payload, which the codec then encrypts', async () => {
    const { failureConverter } = createRequire(import.meta.url)(FAILURE_CONVERTER_PATH) as {
      failureConverter: FailureConverter;
    };
    const failure = failureConverter.errorToFailure(
      new Error(`contact ${member.email} already exists`),
      defaultPayloadConverter,
    );
    expect(failure.message).not.toContain(member.email);
    expect(failure.stackTrace ?? '').not.toContain(member.email);
    expect(text(failure.encodedAttributes!.data)).toContain(member.email);

    const codec = codecOf(`k1:${keyText()}`);
    const [encrypted] = await codec.encode([failure.encodedAttributes!]);
    expect(everything(encrypted!)).not.toContain(member.email);
    const [back] = await codec.decode([encrypted!]);
    const restored = failureConverter.failureToError(
      { ...failure, encodedAttributes: back },
      defaultPayloadConverter,
    );
    expect(restored.message).toBe(`contact ${member.email} already exists`);
  });
});
