import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const WORKFLOWS_DIR = fileURLToPath(new URL('../workflows/', import.meta.url));
const SDK_VERSION = (
  JSON.parse(
    readFileSync(fileURLToPath(import.meta.resolve('@temporalio/worker/package.json')), 'utf8'),
  ) as {
    version: string;
  }
).version;

/** Workflow sources import each other with ESM `.js` specifiers that name `.ts` files. */
function resolveTsFromJs<T extends { resolve?: object }>(config: T): T {
  return { ...config, resolve: { ...config.resolve, extensionAlias: { '.js': ['.ts', '.js'] } } };
}

/**
 * Bundles workflows/ for the worker, cached on disk by a hash of the sources and the SDK
 * version: webpack takes seconds, and restarts should not pay it again. `entry` is another
 * entry point (a test's own workflow) that may import from workflows/.
 */
export async function workflowBundle(
  cacheDir: string,
  entry = path.join(WORKFLOWS_DIR, 'index.ts'),
): Promise<{ code: string }> {
  const hash = createHash('sha256').update(SDK_VERSION).update(entry).update(readFileSync(entry));
  for (const file of readdirSync(WORKFLOWS_DIR).sort()) {
    hash.update(file).update(readFileSync(path.join(WORKFLOWS_DIR, file)));
  }
  const cached = path.join(cacheDir, `workflow-bundle-${hash.digest('hex').slice(0, 16)}.js`);
  if (existsSync(cached)) return { code: readFileSync(cached, 'utf8') };

  const { code } = await bundleWorkflowCode({
    workflowsPath: entry,
    webpackConfigHook: resolveTsFromJs,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(cached, code);
  return { code };
}
