// How many runs the fuzz suite makes and with which seed, and the table it prints: `npm test` runs
// a few dozen per property with a fixed seed; `npm run fuzz` (FUZZ=long) thousands with a new seed
// each time, and writes its tables to bench/results/fuzz.md (the README shows them).
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import prettier from 'prettier';

const LONG = process.env.FUZZ === 'long';

/** Runs per property (and per route): FUZZ_RUNS, else 25 in `npm test` and 1,000 in `npm run fuzz`. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS) || (LONG ? 1_000 : 25);

/** FUZZ_SEED, else fixed in `npm test` (the same runs every time) and new in `npm run fuzz`. */
export const FUZZ_SEED =
  Number(process.env.FUZZ_SEED) || (LONG ? Date.now() % 2 ** 31 : 20_261_124);

/** A test's time limit, for `runs` requests of up to `msEach`. */
export const timeoutFor = (runs: number, msEach: number) => 30_000 + runs * msEach;

/** fast-check's settings for one property; the seed is printed so a failing run can be replayed. */
export const fuzzParameters = (runs = FUZZ_RUNS) => ({ seed: FUZZ_SEED, numRuns: runs });

export type Outcome = '2xx' | '4xx' | '5xx';

/** Answers counted per row (a route, a CLI): runs and how they were answered. */
export class Tally {
  private readonly rows = new Map<string, Map<string, number>>();
  private readonly started = Date.now();

  constructor(readonly columns: readonly string[]) {}

  count(row: string, column: string): void {
    const counts = this.rows.get(row) ?? new Map<string, number>();
    counts.set('runs', (counts.get('runs') ?? 0) + 1);
    counts.set(column, (counts.get(column) ?? 0) + 1);
    this.rows.set(row, counts);
  }

  /** A markdown table, then the seed, the runs asked per property and how long it all took. */
  markdown(first: string): string {
    const header = [first, 'runs', ...this.columns];
    const lines = [
      `| ${header.join(' | ')} |`,
      `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
      ...[...this.rows].map(
        ([row, counts]) =>
          `| ${[`\`${row}\``, ...['runs', ...this.columns].map((c) => String(counts.get(c) ?? 0))].join(' | ')} |`,
      ),
    ];
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    return `${lines.join('\n')}\n\nseed ${FUZZ_SEED}, ${FUZZ_RUNS} runs per property, ${seconds} s\n`;
  }
}

/** The status class of an HTTP answer. */
export const outcomeOf = (status: number): Outcome =>
  status >= 500 ? '5xx' : status >= 400 ? '4xx' : '2xx';

/**
 * Prints the section, and with FUZZ_REPORT set (`npm run fuzz` sets it) writes it into that file
 * between its markers, keeping the other files' sections, formatted as `npm run lint` wants it.
 */
export async function report(section: string, title: string, markdown: string): Promise<void> {
  process.stdout.write(`\n${title}\n\n${markdown}\n`);
  const file = process.env.FUZZ_REPORT;
  if (!file) return;
  mkdirSync(path.dirname(file), { recursive: true });
  // Both fuzz files finish at about the same time, in two processes: one writes at a time.
  const lock = `${file}.lock`;
  for (let tries = 0; ; tries++) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    await writeSection(file, section, title, markdown);
  } finally {
    rmdirSync(lock);
  }
}

async function writeSection(file: string, section: string, title: string, markdown: string) {
  const begin = `<!-- fuzz:${section} -->`;
  const end = `<!-- /fuzz:${section} -->`;
  const block = `${begin}\n\n### ${title}\n\n${markdown}\n${end}`;
  const current = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Fuzz suite results\n\nWritten by `npm run fuzz` (tests/fuzz/); the README shows them.\n';
  const start = current.indexOf(begin);
  const stop = current.indexOf(end);
  const next =
    start >= 0 && stop > start
      ? `${current.slice(0, start)}${block}${current.slice(stop + end.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  const options = await prettier.resolveConfig(file);
  writeFileSync(file, await prettier.format(next, { ...options, filepath: file }));
}
