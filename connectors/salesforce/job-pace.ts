/**
 * When to read a closed Bulk API job's state. An org's jobs take much the same time per record
 * from one to the next, so what recent jobs took says when the next one will be done: the first
 * read waits most of what the quickest recent job took per record, times this job's records, and
 * the reads after it come at short pauses, doubling (connectors/salesforce/bulk.ts). A job is
 * then seen done soon after it is, in a few reads, whether the org takes 100 ms a job (the
 * sandbox) or a minute (a busy real org), where reads every 2 s would spend 30 of the org's
 * daily API calls on it. Without a history the first read is at once. A small job (a backfill's
 * last page) errs early: a job's fixed cost is spread over its records, so few records make
 * the estimate short, and an early read costs one call where a late one costs idle time.
 */
export class JobPace {
  /** The last few jobs' ms per record, from close to the read that found them done, newest last. */
  private readonly recent: number[] = [];

  constructor(
    /** How many recent jobs are remembered: one slow job among them does not delay the next. */
    private readonly remembered = 5,
    /** The share of the quickest recent time waited before the first read. */
    private readonly share = 0.8,
  ) {}

  /** The wait before the first read of a closed job of `records` records, in ms. */
  firstWait(records: number): number {
    if (this.recent.length === 0) return 0;
    return Math.round(Math.min(...this.recent) * records * this.share);
  }

  /** A job of `records` records was found done `ms` after it was closed. */
  observe(ms: number, records: number): void {
    this.recent.push(ms / Math.max(1, records));
    if (this.recent.length > this.remembered) this.recent.shift();
  }
}
