// Every benchmark of `npm run bench`, at its smoke size, so none of them rots: each runs against
// the suite's Temporal and PostgreSQL, checks its own outcomes (every acknowledged event stored,
// every run counted), and its JSON must make a BENCHMARKS.md with its figures.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { benchmarks } from '../../bench/benchmarks.js';
import { benchmarksMarkdown, readResults } from '../../bench/lib/report.js';
import { runInNamespace } from '../../bench/lib/context.js';
import { machine, writeResult } from '../../bench/lib/result.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-bench-smoke-'));

describe('npm run bench, smoke size', () => {
  for (const benchmark of benchmarks)
    it(`${benchmark.name} runs and reports every figure`, { timeout: 150_000 }, async () => {
      const result = await runInNamespace(benchmark, {
        size: 'smoke',
        temporalAddress: inject('temporalAddress'),
        postgresUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
        log: () => undefined,
      });
      expect(result.name).toBe(benchmark.name);
      expect(result.size).toBe('smoke');
      expect(result.figures.length).toBeGreaterThan(0);
      for (const figure of result.figures) {
        expect(Number.isFinite(figure.value), figure.label).toBe(true);
        if (figure.ceiling) expect(figure.ceiling.value, figure.label).toBeGreaterThan(0);
      }
      writeResult(dir, {
        ...result,
        machine: machine(),
        measuredAt: new Date().toISOString(),
        durationS: 1,
      });
    });

  it('regenerates BENCHMARKS.md from the JSON alone', () => {
    const results = readResults(dir);
    expect(results.map((r) => r.name).sort()).toEqual(benchmarks.map((b) => b.name).sort());
    const markdown = benchmarksMarkdown(results);
    for (const result of results) {
      expect(markdown).toContain(`## ${result.title}`);
      for (const figure of result.figures)
        expect(markdown).toContain(figure.label.replace(/\|/g, '\\|'));
    }
    // The published file is the same function of the published JSON.
    const published = readResults(path.resolve('bench/results'));
    if (published.length > 0)
      expect(readFileSync('BENCHMARKS.md', 'utf8')).toBe(benchmarksMarkdown(published));
  });
});
