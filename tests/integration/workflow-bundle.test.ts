import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTemporalClient } from '../../runtime/temporal.js';
import { workflowBundle } from '../../runtime/workflow-bundle.js';
import * as bundleEntry from '../../workflows/index.js';
import { workflowRegistry } from '../../workflows/registry.js';
import { startTestWorker } from '../support/worker.js';

// Workflow sources must sit in the project to resolve its packages: a scratch folder under the
// (git-ignored) data folder, removed afterwards.
const scratch = path.resolve('.townhall', `bundle-test-${randomBytes(4).toString('hex')}`);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(file: string, text: string): string {
  const full = path.join(scratch, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
  return full;
}

const manifests = (cache: string) => readdirSync(cache).filter((f) => f.endsWith('.json'));
const bundles = (cache: string) => readdirSync(cache).filter((f) => f.endsWith('.js'));

describe('workflow bundle', () => {
  it('bundles townhall’s workflows from their subfolders, keyed on every file it contains', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'townhall-bundle-'));
    await workflowBundle(cache);
    const [manifest] = manifests(cache).map(
      (file) =>
        JSON.parse(readFileSync(path.join(cache, file), 'utf8')) as {
          files: Record<string, string>;
        },
    );
    const files = Object.keys(manifest!.files).map((file) => path.relative(process.cwd(), file));
    expect(files).toEqual(
      expect.arrayContaining([
        path.join('workflows', 'index.ts'),
        path.join('workflows', 'onboarding', 'workflow.ts'),
        path.join('workflows', 'steps', 'run.ts'),
        path.join('workflows', 'retry-policies.ts'),
        // Imported from outside workflows/: a change there must rebuild the bundle too.
        path.join('config', 'journey-events.ts'),
      ]),
    );
    // The worker evaluates a bundle's modules once for each run it holds: zod and the steps'
    // schemas (built only by `townhall validate` and config loading) cost a parked run ~0.7 MiB.
    expect(files.filter((file) => file.includes(`node_modules${path.sep}zod${path.sep}`))).toEqual(
      [],
    );
  });

  it('exports every registered workflow type from the bundle entry', () => {
    for (const workflow of workflowRegistry)
      expect(bundleEntry[workflow.name as keyof typeof bundleEntry], workflow.name).toBe(
        workflow.workflow,
      );
  });

  it('runs a workflow from a subfolder, and rebuilds when any file it bundles changes', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'townhall-bundle-'));
    const helper = write('shared/greeting.ts', "export const greeting = 'v1';\n");
    write(
      'deep/nested/greet.ts',
      [
        "import { greeting } from '../../shared/greeting.js';",
        'export async function greet(name: string): Promise<string> {',
        '  return `${greeting}: hello ${name}`;',
        '}',
        '',
      ].join('\n'),
    );
    const entry = write('index.ts', "export { greet } from './deep/nested/greet.js';\n");

    const first = await workflowBundle(cache, entry);
    expect(first.code).toContain("'v1'");
    const builtAt = statSync(path.join(cache, manifests(cache)[0]!)).mtimeMs;

    // Nothing changed: the cached bundle is used as it is.
    expect((await workflowBundle(cache, entry)).code).toBe(first.code);
    expect(statSync(path.join(cache, manifests(cache)[0]!)).mtimeMs).toBe(builtAt);

    // A file two folders away from the entry changes: a new bundle.
    writeFileSync(helper, "export const greeting = 'v2';\n");
    const second = await workflowBundle(cache, entry);
    expect(second.code).toContain("'v2'");
    expect(second.code).not.toContain("'v1'");
    expect(bundles(cache)).toHaveLength(2);

    // And it runs on a real worker.
    const taskQueue = `bundle-test-${randomBytes(4).toString('hex')}`;
    const worker = await startTestWorker({ taskQueue, activities: {}, workflowsPath: entry });
    try {
      const client = createTemporalClient(inject('temporalAddress'), 'default');
      const result = await client.workflow.execute('greet', {
        taskQueue,
        workflowId: `greet-${randomBytes(4).toString('hex')}`,
        args: ['Ada'],
      });
      expect(result).toBe('v2: hello Ada');
    } finally {
      await worker.shutdown();
    }
  });
});
