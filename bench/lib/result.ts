// What a benchmark returns and how it is kept: one JSON file per benchmark in bench/results/,
// from which BENCHMARKS.md is regenerated (bench/lib/report.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Figure {
  /** What was measured, in words ("journey starts per second, webhook arm"). */
  label: string;
  value: number;
  unit: string;
  /** The ceiling (or floor) it is compared with, measured in the same run. */
  ceiling?: { label: string; value: number } | undefined;
  /** value / ceiling.value, or another ratio the goal is about. */
  ratio?: number | undefined;
  /** The goal, in the form `>= 0.9` or `<= 2`, on `ratio` when there is one, else on value. */
  goal?: { op: '>=' | '<='; value: number } | undefined;
}

export interface BenchResult {
  name: string;
  title: string;
  /** How it is measured: the method, in a few sentences (BENCHMARKS.md prints it). */
  method: string;
  command: string;
  size: 'full' | 'smoke';
  figures: Figure[];
  /** What limits the figures, what was tried: findings, one per line. */
  findings: string[];
  /** Anything else worth keeping (per-arm rounds, profiles' top frames). */
  details?: unknown;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  measuredAt: string;
  durationS: number;
}

export function machine(): BenchResult['machine'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** Whether a figure meets its goal; undefined when it has none. */
export function met(figure: Figure): boolean | undefined {
  if (!figure.goal) return undefined;
  const measured = figure.ratio ?? figure.value;
  if (!Number.isFinite(measured)) return false;
  return figure.goal.op === '>=' ? measured >= figure.goal.value : measured <= figure.goal.value;
}

export function writeResult(dir: string, result: BenchResult): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
