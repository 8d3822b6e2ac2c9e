// Found by the fuzz suite (tests/fuzz/config-validate.test.ts): a YAML alias bomb made the yaml
// package throw a ReferenceError while building values, which `townhall validate` printed as a
// stack trace instead of a problem.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/load.js';

const ALIAS_BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
].join('\n');

describe('YAML that attacks the parser', () => {
  it('is a config problem, not a crash', () => {
    let thrown: unknown;
    try {
      parseConfig(ALIAS_BOMB, 'bomb.yaml', {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual([
      { path: '', message: expect.stringContaining('YAML cannot be read') as string },
    ]);
  });

  it('makes `townhall validate` exit 1 with the problem and no stack trace', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'townhall-bomb-')), 'bomb.yaml');
    writeFileSync(file, ALIAS_BOMB);
    const result = spawnSync(process.execPath, ['bin/townhall.js', 'validate', file], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('YAML cannot be read');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
