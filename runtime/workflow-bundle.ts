import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { Configuration } from 'webpack';
import { FAILURE_CONVERTER_PATH } from './codec/data-converter.js';

const WORKFLOWS_ENTRY = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
const SDK_VERSION = (
  JSON.parse(
    readFileSync(fileURLToPath(import.meta.resolve('@temporalio/worker/package.json')), 'utf8'),
  ) as { version: string }
).version;

/** What a cached bundle was built from: every file webpack read, with its content hash. */
interface Manifest {
  sdk: string;
  entry: string;
  /** The failure converter built in: a bundle from before it (or with another) is rebuilt. */
  failureConverter?: string;
  bundle: string;
  files: Record<string, string>;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Writes whole or not at all: processes sharing a cache never read half a bundle. */
function writeAtomically(file: string, data: string): void {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, data);
  renameSync(partial, file);
}

function fileHash(file: string): string | undefined {
  try {
    return sha256(readFileSync(file));
  } catch {
    return undefined;
  }
}

/** True when every file the cached bundle was built from is still as it was. */
function stillValid(manifest: Manifest, cacheDir: string): boolean {
  if (
    manifest.sdk !== SDK_VERSION ||
    manifest.failureConverter !== FAILURE_CONVERTER_PATH ||
    !existsSync(path.join(cacheDir, manifest.bundle))
  )
    return false;
  return Object.entries(manifest.files).every(([file, hash]) => fileHash(file) === hash);
}

/**
 * Workflow sources import each other with ESM `.js` specifiers that name `.ts` files; the plugin
 * records every file webpack reads, which keys the cache.
 */
function configHook(read: Set<string>) {
  return (config: Configuration): Configuration => ({
    ...config,
    resolve: { ...config.resolve, extensionAlias: { '.js': ['.ts', '.js'] } },
    plugins: [
      ...(config.plugins ?? []),
      {
        apply(compiler) {
          compiler.hooks.afterCompile.tap('townhall-bundle-files', (compilation) => {
            for (const file of compilation.fileDependencies) read.add(file);
          });
        },
      },
    ],
  });
}

/**
 * Bundles workflows/ for the worker, cached on disk: webpack takes seconds, and restarts should
 * not pay it again. The cache is keyed on every file the bundle contains (workflow code in any
 * subfolder, whatever it imports from elsewhere, the SDK's own files), so a change to any of them
 * builds a new bundle. `entry` is another entry point (a test's own workflows).
 */
export async function workflowBundle(
  cacheDir: string,
  entry = WORKFLOWS_ENTRY,
): Promise<{ code: string }> {
  const manifestFile = path.join(cacheDir, `workflow-bundle-${sha256(entry).slice(0, 16)}.json`);
  if (existsSync(manifestFile)) {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    if (stillValid(manifest, cacheDir))
      return { code: readFileSync(path.join(cacheDir, manifest.bundle), 'utf8') };
  }

  const read = new Set<string>();
  const { code } = await bundleWorkflowCode({
    workflowsPath: entry,
    // Workflow failures' messages become payloads the codec encrypts (runtime/codec/).
    failureConverterPath: FAILURE_CONVERTER_PATH,
    webpackConfigHook: configHook(read),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  const files: Record<string, string> = {};
  for (const file of [...read].sort()) {
    const hash = fileHash(file);
    if (hash !== undefined) files[file] = hash;
  }
  const bundle = `workflow-bundle-${sha256(code).slice(0, 16)}.js`;
  mkdirSync(cacheDir, { recursive: true });
  writeAtomically(path.join(cacheDir, bundle), code);
  const manifest: Manifest = {
    sdk: SDK_VERSION,
    entry,
    failureConverter: FAILURE_CONVERTER_PATH,
    bundle,
    files,
  };
  writeAtomically(manifestFile, JSON.stringify(manifest, null, 1));
  return { code };
}
