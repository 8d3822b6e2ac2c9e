import { defineOnDemandWorkflow } from '../descriptor.js';
import { handoff } from './workflow.js';

/**
 * The support handoff: one run per community thread, started and signalled by the handoff router
 * (server/handoff.ts) as the config's `handoff:` rules say, not by the trigger table: its rules
 * are a section of their own and several of them meet in one run.
 */
export const handoffWorkflow = defineOnDemandWorkflow({ name: 'handoff', workflow: handoff });
