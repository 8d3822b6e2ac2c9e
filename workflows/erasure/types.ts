import type { Routing } from '../steps/context.js';

/**
 * One erasure per member, ever: its id is derived from the keyed hash of the member id
 * (`erasure-<hash prefix>`), so asking twice joins the same run and the id names nobody.
 */
export const erasureWorkflowId = (memberHash: string) => `erasure-${memberHash.slice(0, 32)}`;

export interface ErasureInput {
  erasureId: string;
  /** The member as the store knows them: every system reads their addresses from the store. */
  memberId: string;
  routing?: Routing | undefined;
}

/** What the plan found: the systems to erase from besides townhall's own store. */
export interface ErasurePlan {
  /** `crm:<connector id>` and `helpdesk:<connector id>`, without those already done. */
  systems: string[];
  /** What stays elsewhere, in words for the audit record (messages on the platforms ...). */
  notErasable: string[];
}

export interface ErasureResult {
  erasureId: string;
  systems: string[];
  /** Times an operator asked again after a system refused for good (auth, configuration). */
  retries: number;
}
