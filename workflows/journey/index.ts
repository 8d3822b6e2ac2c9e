import { defineOnDemandWorkflow } from '../descriptor.js';
import { journey } from './workflow.js';

/**
 * The journey engine's workflow type. Its runs are started from the `journeys:` section of the
 * config, by the router (workflows/journey/triggers.ts), not from a `workflows:` section.
 */
export const journeyWorkflow = defineOnDemandWorkflow({ name: 'journey', workflow: journey });
