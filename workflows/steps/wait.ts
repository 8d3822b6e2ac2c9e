import { sleep } from '@temporalio/workflow';
import { duration } from '../../config/duration.js';
import { defineStep } from './step.js';

export interface WaitStep {
  type: 'wait';
  ms: number;
}

/** `- wait: 2d`: a durable timer; a crash or deploy during it loses nothing. */
export const wait = defineStep({
  type: 'wait',
  schema: duration,
  parse: (ms): WaitStep => ({ type: 'wait', ms }),
  run: (step) => sleep(step.ms).then(() => 'waited'),
});
