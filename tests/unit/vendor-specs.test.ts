import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPECS_DIR } from '../../sandbox/specs.js';

/** The shared originals, next to the project when it is checked out in its workspace. */
const SHARED = path.resolve(SPECS_DIR, '../../../shared/specs');

/** `sha256sum` output: the hash of every vendored file, as copied from ../shared/specs. */
const sums = readFileSync(path.join(SPECS_DIR, 'SHA256SUMS'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => {
    const [hash, file] = line.split(/\s+/) as [string, string];
    return { hash, file };
  });
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('vendored API descriptions', () => {
  it('holds each emulator’s description with its licence', () => {
    expect(sums.map((s) => s.file)).toEqual(
      expect.arrayContaining([
        'discord/openapi.json',
        'discord/LICENSE',
        'discourse/openapi.json',
        'discourse/LICENSE.txt',
        'intercom/api-2.14.openapi.yaml',
        'intercom/LICENSE.md',
        'slack/web-api.openapi.json',
        'slack/LICENSE',
        'compose/compose-spec.json',
        'compose/LICENSE',
      ]),
    );
  });

  it('are unedited: each matches its recorded hash, and ../shared/specs where it exists', () => {
    for (const { hash, file } of sums) {
      expect(sha256(path.join(SPECS_DIR, file)), file).toBe(hash);
      const original = path.join(SHARED, file);
      if (existsSync(SHARED)) expect(sha256(original), `../shared/specs/${file}`).toBe(hash);
    }
  });
});
