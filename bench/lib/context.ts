// What every benchmark is given, and what it is.
import type { BenchResult } from './result.js';

export interface BenchContext {
  /** smoke: a few seconds, for `npm test` (nothing rots); full: the published numbers. */
  size: 'full' | 'smoke';
  /** A Temporal dev server for this run (the benchmark starts hubs against it). */
  temporalAddress: string;
  /** The PostgreSQL server: each hub gets a fresh schema on it. */
  postgresUrl: string;
  /** Progress on stderr: long runs say what they are doing. */
  log: (message: string) => void;
}

export interface Benchmark {
  name: string;
  run(context: BenchContext): Promise<Omit<BenchResult, 'machine' | 'measuredAt' | 'durationS'>>;
}
