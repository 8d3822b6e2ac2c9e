import { log } from '@temporalio/workflow';
import { runSteps } from '../steps/run.js';
import type { OnboardingInput, OnboardingResult } from './types.js';

/** A new member's journey: the configured steps, in order, once per member. */
export async function onboarding(input: OnboardingInput): Promise<OnboardingResult> {
  const steps = await runSteps(input.steps, input, (index, { type, outcome }) =>
    log.info('onboarding step done', { index, type, outcome }),
  );
  return { steps };
}
