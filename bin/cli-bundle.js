// The CLI as one esbuild bundle, built on first use and rebuilt whenever a source file it holds
// changes. Loading ~400 TypeScript files through tsx's loader hooks costs every `townhall`
// command about 2.5 s of CPU before it does anything; the bundle halves what a command costs.
//
// The bundle lives in node_modules/.cache (so the packages it leaves external resolve from
// there) with a manifest of the sha-1 of every input file, this one included: it is used only
// when every input still hashes the same. Each module's `import.meta.url` is its source file's
// URL, as under tsx, so paths built from it (migrations, templates, the workflows entry) hold.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'townhall-cli');

const sha1 = (file) => createHash('sha1').update(readFileSync(file)).digest('hex');

/** The cached bundle's path when every file in it is as it was built, else undefined. */
function fresh({ root, cache }) {
  try {
    const manifest = JSON.parse(readFileSync(path.join(cache, 'manifest.json'), 'utf8'));
    for (const [file, hash] of Object.entries(manifest.inputs))
      if (sha1(path.resolve(root, file)) !== hash) return undefined;
    return path.join(cache, manifest.bundle);
  } catch {
    return undefined;
  }
}

/** Gives each project module its own file URL where the bundle would give the bundle's. */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      return {
        contents: source.replaceAll(
          'import.meta.url',
          JSON.stringify(pathToFileURL(args.path).href),
        ),
        loader: path.extname(args.path).replace(/^\.[cm]?/, '') === 'ts' ? 'ts' : 'js',
      };
    });
  },
};

async function build(entry, { root, cache }) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    // Input paths in the metafile are relative to this, whatever folder the command runs in.
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // Function names are Temporal workflow types (the client starts `journey` by its name), and
    // a bundle renames clashing top-level names unless told to keep them.
    keepNames: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [ownImportMetaUrl],
  });
  const inputs = {};
  for (const file of [...Object.keys(result.metafile.inputs), path.relative(root, SELF)])
    inputs[file] = sha1(path.resolve(root, file));
  const code = result.outputFiles[0].contents;
  const bundle = `cli-${createHash('sha1').update(code).digest('hex').slice(0, 16)}.mjs`;
  mkdirSync(cache, { recursive: true });
  // Another process may be building the same bundle: write aside, then rename into place.
  const aside = `.${process.pid}-${Date.now()}`;
  const manifest = path.join(cache, 'manifest.json');
  writeFileSync(path.join(cache, bundle + aside), code);
  renameSync(path.join(cache, bundle + aside), path.join(cache, bundle));
  writeFileSync(manifest + aside, JSON.stringify({ bundle, inputs }));
  renameSync(manifest + aside, manifest);
  return path.join(cache, bundle);
}

/**
 * The URL to import for the CLI: the bundle, built if need be; undefined when it cannot be
 * built or stored here (a read-only install), and the caller runs the sources through tsx.
 * `where` is the project root and the cache folder (tests build a project of their own);
 * TOWNHALL_CLI_BUNDLE=0 turns the bundle off.
 */
export async function cliBundle(entry, where = { root: ROOT, cache: CACHE }) {
  if (process.env.TOWNHALL_CLI_BUNDLE === '0') return undefined;
  const existing = fresh(where);
  if (existing) return pathToFileURL(existing).href;
  try {
    return pathToFileURL(await build(entry, where)).href;
  } catch {
    return undefined;
  }
}
