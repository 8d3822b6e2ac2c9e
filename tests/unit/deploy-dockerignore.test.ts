import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { read, ROOT } from '../support/deploy-compose.js';
import { dockerignoreProblems, IMAGE_NEEDS } from '../support/deploy-image.js';

/** The build context: what the .dockerignore keeps out, and what it must let in. */

describe('.dockerignore', () => {
  it('keeps node_modules, .git, local state and secrets out of the build context, and nothing the image runs', () => {
    for (const file of IMAGE_NEEDS) expect(existsSync(path.join(ROOT, file)), file).toBe(true);
    expect(dockerignoreProblems(read('.dockerignore'))).toEqual([]);
  });

  it('would catch a missing or too-wide exclusion', () => {
    expect(dockerignoreProblems('node_modules\n')).toEqual([
      '.git/HEAD is not excluded',
      '.env is not excluded',
      '.townhall/pglite/PG_VERSION is not excluded',
      'tests/unit/deploy-stack.test.ts is not excluded',
    ]);
    expect(dockerignoreProblems(read('.dockerignore') + '\n**/*.json\n**/*.ts\n')).toEqual([
      'package.json is excluded',
      'package-lock.json is excluded',
      'tsconfig.json is excluded',
      'bin/cli.ts is excluded',
      'workflows/index.ts is excluded',
      'runtime/settings.ts is excluded',
      'sandbox/specs/discord/openapi.json is excluded',
    ]);
  });
});
