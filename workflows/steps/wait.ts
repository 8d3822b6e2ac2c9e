import { defineStep } from './step.js';

export interface WaitStep {
  type: 'wait';
  ms: number;
}

/**
 * `- wait: 2d`: a durable timer; a crash or deploy during it loses nothing. In a run with exits,
 * an exit ends the wait at once. (A run without exits sleeps, as runs always have: the same
 * history on replay.)
 */
export const wait = defineStep({
  type: 'wait',
  waits: true,
  schema: ({ duration }) => duration,
  parse: (ms): WaitStep => ({ type: 'wait', ms }),
  run: (step, { exitReason, engine }) =>
    exitReason
      ? engine
          .condition(() => exitReason() !== undefined, step.ms)
          .then((ended) => (ended ? `ended early: ${exitReason()}` : 'waited'))
      : engine.sleep(step.ms).then(() => 'waited'),
});
