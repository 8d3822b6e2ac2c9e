// The workflow bundle's entry point: every workflow the worker runs, exported by name. A test
// checks that each workflow in workflows/registry.ts is exported here.
export { onboarding } from './onboarding/workflow.js';
export { journey } from './journey/workflow.js';
export { journeyScan } from './journey-scan/workflow.js';
export { crmSync } from './crm-sync/workflow.js';
export { crmBackfill } from './crm-backfill/workflow.js';
export { handoff } from './handoff/workflow.js';
export { communityPoll } from './community-poll/workflow.js';
export { memberErasure } from './erasure/workflow.js';
