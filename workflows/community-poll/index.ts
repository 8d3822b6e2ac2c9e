import { defineOnDemandWorkflow } from '../descriptor.js';
import { communityPoll } from './workflow.js';

/** A feed's poller: started by the worker for every feed a polled connector's config lists. */
export const communityPollWorkflow = defineOnDemandWorkflow({
  name: 'communityPoll',
  workflow: communityPoll,
});
