import type { Routing } from '../steps/context.js';

/** `crm-backfill:<crm>`: one backfill per CRM at a time; asking again attaches to it. */
export const crmBackfillWorkflowId = (crm: string) => `crm-backfill:${crm}`;

export interface BackfillProgress {
  crm: string;
  total: number;
  done: number;
  failed: number;
  /** Members written per second since the backfill began. */
  perSecond: number;
  /** Milliseconds left at that rate; null until there is a rate. */
  etaMs: number | null;
  startedAt: number;
  /** Whether pages go to the CRM's bulk API (large backfills, where it has one). */
  bulk: boolean;
  finished: boolean;
  /** When it ended, so a report read later says how long it took (absent from older runs). */
  finishedAt?: number;
}

export interface BackfillState {
  afterId?: string | undefined;
  done: number;
  failed: number;
  total: number;
  startedAt: number;
  bulk: boolean;
  /** Members per push (not bulk). */
  batchSize: number;
}

export interface CrmBackfillInput {
  crm: string;
  /** Members per push; unset, and never more than, the most the CRM takes in one request. */
  batchSize?: number | undefined;
  routing?: Routing | undefined;
  /** Carried across continue-as-new. */
  state?: BackfillState | undefined;
}
