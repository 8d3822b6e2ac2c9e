import type { StepActivities } from './context.js';

/**
 * What steps need from whatever runs them: time, waits, versioning and activities. The journey
 * workflow runs them on Temporal (temporal-engine.ts); `townhall simulate` runs the very same
 * steps on a virtual clock with activities that only say what they would do. One engine, so the
 * two cannot disagree.
 */
export interface StepEngine {
  /** Milliseconds since the epoch: the workflow's deterministic clock, or the virtual one. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Resolves true as soon as `test` holds, false when `ms` passes first. */
  condition(test: () => boolean, ms: number): Promise<boolean>;
  /** Temporal's patched(): true for runs that started on code with this change. */
  patched(id: string): boolean;
  /** The activities, each call with this id, on `taskQueue` when one is given. */
  activities(options: { activityId: string; taskQueue?: string | undefined }): StepActivities;
}
