import type { Routing } from '../steps/context.js';

/** `crm-sync:<crm>`: one incremental sync per CRM; a schedule starts it, never two at once. */
export const crmSyncWorkflowId = (crm: string) => `crm-sync:${crm}`;

export interface CrmSyncInput {
  /** The CRM connector id. */
  crm: string;
  /** Members per push; unset, and never more than, the most the CRM takes in one request. */
  batchSize?: number | undefined;
  routing?: Routing | undefined;
}

export interface CrmSyncResult {
  written: number;
  failed: number;
}
