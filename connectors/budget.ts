import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A vendor account's request budget, shared by every workflow and worker: each request to the
 * account takes a slot first. `bulk` work (sync, backfill) is paced to the limit; `interactive`
 * work (a journey's single upsert) may take a slot ahead of the bulk work already waiting, so a
 * backfill never holds up onboarding by more than a few slots.
 */
export interface RequestBudget {
  /** Resolves when this request may go out. */
  take(): Promise<void>;
}

export type Lane = 'interactive' | 'bulk';

/** At most `max` requests in any `intervalMs` window (HubSpot: 100 per 10 s on Starter). */
export interface RequestLimit {
  max: number;
  intervalMs: number;
}

/** Makes the budget of one account (a connector id), backed by the store all workers share. */
export type BudgetFactory = (account: string, limit: RequestLimit) => RequestBudget;

const lanes = new AsyncLocalStorage<Lane>();

/** Runs `work` with its requests in the bulk lane: batch sync and backfill. */
export const inBulkLane = <T>(work: () => Promise<T>): Promise<T> => lanes.run('bulk', work);

/** The lane of the request being made: bulk inside `inBulkLane`, interactive otherwise. */
export const currentLane = (): Lane => lanes.getStore() ?? 'interactive';
