// The keyed hashes an erasure keeps: one per address however it is written, unlinkable across
// kinds and keys, and a key too short to be secret refused without being echoed.
import { describe, expect, it } from 'vitest';
import type { Db } from '../../store/db.js';
import { privacyHasher } from '../../store/privacy-hash.js';

// With TOWNHALL_PRIVACY_KEY set the store is never asked for a key.
const noStore = {} as Db;
const KEY = 'k'.repeat(32);

describe('privacyHasher', () => {
  it('hashes an address the same however its case and spaces are written', async () => {
    const hash = await privacyHasher(noStore, { TOWNHALL_PRIVACY_KEY: KEY });
    expect(hash('email', ' Ada@Example.com ')).toBe(hash('email', 'ada@example.com'));
    expect(hash('email', 'ada@example.com')).toMatch(/^[0-9a-f]{64}$/);
    expect(hash('email', 'ada@example.com')).not.toBe(hash('email', 'bob@example.com'));
  });

  it('gives different hashes for the same text as another kind or under another key', async () => {
    const hash = await privacyHasher(noStore, { TOWNHALL_PRIVACY_KEY: KEY });
    const other = await privacyHasher(noStore, { TOWNHALL_PRIVACY_KEY: 'x'.repeat(32) });
    expect(hash('member', 'ada@example.com')).not.toBe(hash('email', 'ada@example.com'));
    expect(other('email', 'ada@example.com')).not.toBe(hash('email', 'ada@example.com'));
  });

  it('refuses a short key without printing it', async () => {
    const error = await privacyHasher(noStore, { TOWNHALL_PRIVACY_KEY: 'short-secret' }).catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('TOWNHALL_PRIVACY_KEY is too short');
    expect((error as Error).message).not.toContain('short-secret');
  });
});
