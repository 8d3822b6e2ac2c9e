/**
 * Every workflow type townhall runs, listed explicitly: the config's `workflows:` section and the
 * trigger table come from this list. Each is also exported by name from workflows/index.ts, the
 * worker's bundle entry (a test checks both lists agree).
 */
import type { AnyWorkflow } from './descriptor.js';
import { crmBackfillWorkflow } from './crm-backfill/index.js';
import { communityPollWorkflow } from './community-poll/index.js';
import { crmSyncWorkflow } from './crm-sync/index.js';
import { journeyWorkflow } from './journey/index.js';
import { handoffWorkflow } from './handoff/index.js';
import { journeyScanWorkflow } from './journey-scan/index.js';
import { onboardingWorkflow } from './onboarding/index.js';
import { memberErasureWorkflow } from './erasure/index.js';

export const workflows = [
  onboardingWorkflow,
  journeyWorkflow,
  journeyScanWorkflow,
  crmSyncWorkflow,
  crmBackfillWorkflow,
  handoffWorkflow,
  communityPollWorkflow,
  memberErasureWorkflow,
] as const;

export type Workflows = typeof workflows;

export const workflowRegistry: readonly AnyWorkflow[] = workflows;
