import { defineSignal, log, setHandler } from '@temporalio/workflow';
import { createStepRunner } from '../steps/run.js';
import type { ExitSignal, JourneyInput, JourneyResult } from './types.js';

/** Sent by the router when the member does what the journey's `exit_when` lists. */
export const exitSignal = defineSignal<[ExitSignal]>('exit');

/**
 * One member's run through one journey: the steps it started with, in order, until the last one
 * or an exit. An exit ends a wait at once; the step in progress (a send) finishes, nothing after.
 */
export async function journey(input: JourneyInput): Promise<JourneyResult> {
  let exited: string | undefined;
  setHandler(exitSignal, ({ reason }) => {
    exited ??= reason;
  });
  const steps = await createStepRunner({ ...input, exitReason: () => exited }).runSteps(
    input.steps,
    'steps',
    (index, result) => log.info('journey step done', { journey: input.journey, index, ...result }),
  );
  if (exited) log.info('journey exited', { journey: input.journey, reason: exited });
  return { steps, ...(exited ? { exited } : {}) };
}
