import { defineOnDemandWorkflow } from '../descriptor.js';
import { memberErasure } from './workflow.js';

/** A member erased everywhere townhall reaches, on request: `townhall forget`. */
export const memberErasureWorkflow = defineOnDemandWorkflow({
  name: 'memberErasure',
  workflow: memberErasure,
});
