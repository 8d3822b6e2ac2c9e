import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { cliBundle } from '../../bin/cli-bundle.js';
import { startDevServerOnFreePort } from '../../runtime/dev-server.js';
import { findOrBuildTemporalCli } from '../../runtime/temporal-cli.js';
import { freePort } from './ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCli: string;
  }
}

/** One real Temporal dev server (in memory, headless) for the whole run. */
export default async function setup(project: TestProject) {
  // Built once here, not by the first few `townhall` processes the files start at once.
  await cliBundle(fileURLToPath(new URL('../../bin/cli.ts', import.meta.url)));
  const cli = await findOrBuildTemporalCli();
  if (cli.kind !== 'binary')
    throw new Error('tests need the Temporal CLI (install Go, or set TEMPORAL_CLI)');
  const server = await startDevServerOnFreePort({ cli }, freePort);
  project.provide('temporalAddress', server.address);
  project.provide('temporalCli', cli.path);
  return () => server.stop();
}
