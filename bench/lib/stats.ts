// Percentiles and rates of one arm's latencies, as every benchmark reports them.

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The nearest-rank percentile of sorted values (no interpolation: a value that happened). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
  };
}

/**
 * a / b to three decimals, so a goal is judged on what was measured (0.948 is short of 0.95, not
 * rounded up to it); NaN when b is zero or either is missing.
 */
export function ratio(a: number, b: number): number {
  return b > 0 && Number.isFinite(a) ? round(a / b, 3) : Number.NaN;
}

export { round };

/** To one decimal: rates and ms in findings. */
export const round1 = (value: number) => round(value, 1);
