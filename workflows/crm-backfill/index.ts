import { defineOnDemandWorkflow } from '../descriptor.js';
import { crmBackfill } from './workflow.js';

/** Every member written to a CRM, on demand: `townhall sync backfill`. */
export const crmBackfillWorkflow = defineOnDemandWorkflow({
  name: 'crmBackfill',
  workflow: crmBackfill,
});
