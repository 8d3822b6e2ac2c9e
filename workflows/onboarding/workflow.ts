import { log } from '@temporalio/workflow';
import { createStepRunner } from '../steps/run.js';
import type { OnboardingInput, OnboardingResult } from './types.js';

/** A new member's journey: the configured steps, in order, once per member. */
export async function onboarding(input: OnboardingInput): Promise<OnboardingResult> {
  const steps = await createStepRunner(input).runSteps(input.steps, 'steps', (index, result) =>
    log.info('onboarding step done', { index, ...result }),
  );
  return { steps };
}
