#!/usr/bin/env node
// The `townhall` command: the TypeScript CLI, bundled on first use (bin/cli-bundle.js) or, where
// the bundle cannot be stored, run through tsx. No build step either way.
import { fileURLToPath } from 'node:url';
import { cliBundle } from './cli-bundle.js';

const bundle = await cliBundle(fileURLToPath(new URL('./cli.ts', import.meta.url)));
if (bundle) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./cli.ts');
}
