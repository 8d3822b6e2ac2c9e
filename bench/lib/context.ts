// What every benchmark is given, and what it is.
import { ownNamespace } from '../../tests/support/namespace.js';
import type { BenchResult } from './result.js';

export interface BenchContext {
  /** smoke: a few seconds, for `npm test` (nothing rots); full: the published numbers. */
  size: 'full' | 'smoke';
  /** A Temporal dev server for this run (the benchmark starts hubs against it). */
  temporalAddress: string;
  /**
   * A Temporal namespace of this benchmark's own (tests/support/namespace.ts): workflow and schedule
   * ids belong to a namespace, and fixed ones (a CRM's backfill, the sync's schedule) would
   * otherwise meet those of another hub on the same server, the test suite's included.
   */
  namespace: string;
  /** The PostgreSQL server: each hub gets a fresh schema on it. */
  postgresUrl: string;
  /** Progress on stderr: long runs say what they are doing. */
  log: (message: string) => void;
}

export interface Benchmark {
  name: string;
  run(context: BenchContext): Promise<Omit<BenchResult, 'machine' | 'measuredAt' | 'durationS'>>;
}

/** Runs `benchmark` in a namespace registered for it and deleted after, whatever the outcome. */
export async function runInNamespace(
  benchmark: Benchmark,
  context: Omit<BenchContext, 'namespace'>,
): ReturnType<Benchmark['run']> {
  const namespace = await ownNamespace(context.temporalAddress);
  let result: Awaited<ReturnType<Benchmark['run']>>;
  try {
    result = await benchmark.run({ ...context, namespace: namespace.name });
  } catch (error) {
    // The benchmark's failure is the news; a namespace left behind is only untidy.
    await namespace.drop().catch(() => undefined);
    throw error;
  }
  await namespace.drop();
  return result;
}
