// `townhall validate` fuzzed with broken config files: the loader the CLI uses either accepts a
// file or throws a ConfigError whose problems name the fields they are about, never anything
// else; the real CLI exits 0 or 1, and with 1 prints every problem's path and no stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import type { ConfigProblem } from '../../config/errors.js';
import { parseConfig } from '../../config/load.js';
import {
  FUZZ_RUNS,
  FUZZ_SEED,
  Tally,
  fuzzParameters,
  report,
  timeoutFor,
} from '../support/fuzz-report.js';
import type { FuzzConfig } from '../support/fuzz-yaml.js';
import { EXAMPLE_TEXT, fuzzConfig, related } from '../support/fuzz-yaml.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-fuzz-config-'));
const tally = new Tally(['exit 0', 'exit 1', 'other']);
afterAll(async () => {
  await report('config', '`townhall validate`', tally.markdown('how'));
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI's check, in process: undefined when the file is valid, else its problems. */
function problemsOf(text: string, file: string): ConfigProblem[] | undefined {
  try {
    parseConfig(text, file, {});
    return undefined;
  } catch (error) {
    // Anything but a ConfigError would reach the CLI as a stack trace: the property fails.
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

function check(config: FuzzConfig, problems: ConfigProblem[] | undefined): void {
  if (!problems) return;
  expect(problems.length).toBeGreaterThan(0);
  for (const problem of problems) expect(problem.message.trim()).not.toBe('');
  // A field set to a wrong value is named: some problem is about that field (or around it).
  const changed = config.mutations.filter((m) => m.kind !== 'drop');
  if (changed.length > 0 && changed.length === config.mutations.length)
    expect(
      changed.some((m) => problems.some((p) => related(p.path, m.path))),
      `problems at ${problems.map((p) => p.path || '(file)').join(', ')}`,
    ).toBe(true);
}

it(
  'the loader accepts a config or names its problems, and never throws anything else',
  { timeout: timeoutFor(FUZZ_RUNS * 4, 50) },
  () => {
    fc.assert(
      fc.property(fuzzConfig, fc.context(), (config, ctx) => {
        ctx.log(config.how);
        const problems = problemsOf(config.text, 'fuzz.yaml');
        tally.count('in process', problems ? 'exit 1' : 'exit 0');
        check(config, problems);
      }),
      // Cheap runs (no I/O): four times as many as the HTTP properties.
      fuzzParameters(FUZZ_RUNS * 4),
    );
  },
);

/** Spawning the CLI costs about a second each: a handful in `npm test`, more in `npm run fuzz`. */
const CLI_RUNS = Math.min(12, Math.max(3, Math.round(FUZZ_RUNS / 8)));

it(
  'the CLI exits 0 or 1, and with 1 prints each problem with its path',
  { timeout: timeoutFor(CLI_RUNS, 20_000) },
  () => {
    // The example as it is (exit 0), then broken ones.
    const samples: FuzzConfig[] = [
      { text: EXAMPLE_TEXT, how: 'the example', mutations: [] },
      ...fc.sample(fuzzConfig, { numRuns: CLI_RUNS - 1, seed: FUZZ_SEED }),
    ];
    samples.forEach((config, i) => {
      const file = path.join(dir, `fuzz-${i}.yaml`);
      writeFileSync(file, config.text);
      const problems = problemsOf(config.text, file);
      const result = spawnSync(process.execPath, ['bin/townhall.js', 'validate', file], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
      });
      tally.count('CLI', result.status === 0 ? 'exit 0' : result.status === 1 ? 'exit 1' : 'other');
      const context = `${config.how}: exit ${result.status}\n${result.stderr}`;
      expect(result.stderr, context).not.toMatch(/^\s+at /m);
      if (!problems) {
        expect(result.status, context).toBe(0);
        expect(result.stdout).toContain('OK.');
        return;
      }
      expect(result.status, context).toBe(1);
      // How many problems a stack-deep document yields depends on the stack left: counts may differ.
      expect(result.stderr).toMatch(/ has \d+ problem\(s\):/);
      for (const problem of problems)
        if (problem.path) expect(result.stderr).toContain(`${problem.path}:`);
    });
  },
);
