// bin/cli-bundle.js on a project of the test's own: the bundle keeps each module's file URL and
// its functions' names (Temporal workflow types), and is rebuilt when, and only when, a file in
// it changes.
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliBundle } from '../../bin/cli-bundle.js';

async function bundle(entry: string, where: { root: string; cache: string }): Promise<string> {
  const url = await cliBundle(entry, where);
  if (!url) throw new Error('the bundle was not built');
  return url;
}

interface Exports {
  where: string;
  names: string[];
  version: number;
}

function project(version: number) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'townhall-cli-bundle-'));
  mkdirSync(path.join(root, 'lib'));
  const dep = path.join(root, 'lib', 'dep.ts');
  const writeDep = (v: number) =>
    writeFileSync(
      dep,
      `export const where: string = import.meta.url;\nexport function journey(): number { return ${v}; }\n`,
    );
  writeDep(version);
  // Two top-level functions named `journey`: a bundle would rename one of them.
  writeFileSync(
    path.join(root, 'entry.ts'),
    `import { journey as other, where } from './lib/dep.js';\nfunction journey(): void {}\nexport const out = { where, names: [journey.name, other.name], version: other() };\n`,
  );
  return { root, cache: path.join(root, 'cache'), entry: path.join(root, 'entry.ts'), writeDep };
}

const load = async (url: string) => ((await import(url)) as { out: Exports }).out;

describe('the CLI bundle', () => {
  it("keeps each module's own import.meta.url and its functions' names", async () => {
    const p = project(1);
    const out = await load(await bundle(p.entry, p));
    expect(out.where).toBe(pathToFileURL(path.join(p.root, 'lib', 'dep.ts')).href);
    expect(out.names).toEqual(['journey', 'journey']);
  });

  it('is reused while its files are unchanged and rebuilt when one changes', async () => {
    const p = project(1);
    const first = await bundle(p.entry, p);
    const builtAt = statSync(new URL(first)).mtimeMs;
    expect(await bundle(p.entry, p)).toBe(first);
    expect(statSync(new URL(first)).mtimeMs).toBe(builtAt);

    p.writeDep(2);
    const second = await bundle(p.entry, p);
    expect(second).not.toBe(first);
    expect((await load(second)).version).toBe(2);
  });
});
