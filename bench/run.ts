// `npm run bench`: every benchmark in turn (or those named: `npm run bench -- ingest-starts`),
// each against its ceiling in the same run; JSON in bench/results/, then BENCHMARKS.md and a
// table regenerated from all the JSON there. `--smoke` runs the small sizes (what `npm test`
// runs) and writes to BENCH_RESULTS_DIR or a temp folder, leaving the published results alone.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { startDevServerOnFreePort } from '../runtime/dev-server.js';
import { findOrBuildTemporalCli } from '../runtime/temporal-cli.js';
import { freePort } from '../tests/support/ports.js';
import { benchmarks } from './benchmarks.js';
import { runInNamespace } from './lib/context.js';
import { benchmarksMarkdown, consoleTable, readResults } from './lib/report.js';
import { machine, writeResult } from './lib/result.js';

const args = process.argv.slice(2);
const size = args.includes('--smoke') ? 'smoke' : 'full';
const only = args.filter((arg) => !arg.startsWith('--'));
const unknown = only.filter((name) => !benchmarks.some((b) => b.name === name));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark ${unknown.join(', ')}; there are: ${benchmarks.map((b) => b.name).join(', ')}`,
  );
  process.exit(1);
}
const resultsDir =
  process.env.BENCH_RESULTS_DIR ??
  (size === 'full'
    ? path.resolve('bench/results')
    : mkdtempSync(path.join(os.tmpdir(), 'townhall-bench-smoke-')));

const cli = await findOrBuildTemporalCli();
if (cli.kind !== 'binary') throw new Error('benchmarks need the Temporal CLI (install Go)');
// In memory unless a run too large for it names a file (waiting-journeys at 100,000).
const temporal = await startDevServerOnFreePort(
  { cli, dbFile: process.env.BENCH_TEMPORAL_DB_FILE || undefined },
  freePort,
);
const log = (message: string) =>
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
let failed = false;
try {
  for (const benchmark of benchmarks) {
    if (only.length > 0 && !only.includes(benchmark.name)) continue;
    log(`${benchmark.name}: starting (${size})`);
    const started = performance.now();
    try {
      const result = await runInNamespace(benchmark, {
        size,
        temporalAddress: temporal.address,
        postgresUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
        log: (message) => log(`${benchmark.name}: ${message}`),
      });
      const file = writeResult(resultsDir, {
        ...result,
        machine: machine(),
        measuredAt: new Date().toISOString(),
        durationS: Math.round((performance.now() - started) / 1000),
      });
      log(`${benchmark.name}: done, ${file}`);
    } catch (error) {
      failed = true;
      log(`${benchmark.name}: FAILED ${(error as Error).stack ?? String(error)}`);
    }
  }
} finally {
  await temporal.stop();
}
const results = readResults(resultsDir);
console.log(consoleTable(results));
// The published BENCHMARKS.md only from the published results: a run elsewhere (a smoke, or
// BENCH_RESULTS_DIR for a trial) writes its own next to its JSON.
const markdownFile =
  resultsDir === path.resolve('bench/results')
    ? path.resolve('BENCHMARKS.md')
    : path.join(resultsDir, 'BENCHMARKS.md');
writeFileSync(markdownFile, benchmarksMarkdown(results));
console.log(`\n${markdownFile} regenerated from ${resultsDir}`);
process.exit(failed ? 1 : 0);
