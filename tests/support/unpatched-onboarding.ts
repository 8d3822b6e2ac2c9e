// A workflow bundle for tests only: onboarding as it would be had the step-path activity ids
// been introduced without a patch. Replaying a history recorded before them must fail.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../workflows/steps/context.js';
import type { OnboardingInput } from '../../workflows/onboarding/types.js';
import { VENDOR_CALL } from '../../workflows/retry-policies.js';
import { STEPS } from '../../workflows/steps/index.js';
import type { Step } from '../../workflows/steps/index.js';
import type { StepContext } from '../../workflows/steps/context.js';
import { temporalEngine } from '../../workflows/steps/temporal-engine.js';

export async function onboarding(input: OnboardingInput) {
  const steps = [];
  for (const [index, step] of input.steps.entries()) {
    const context: StepContext = {
      memberId: input.memberId,
      platform: input.platform,
      routing: {},
      engine: temporalEngine,
      path: `steps[${index}]`,
      runSteps: () => Promise.reject(new Error('onboarding steps hold no step lists')),
      activities: () =>
        proxyActivities<Activities>({ ...VENDOR_CALL, activityId: `steps[${index}]#1` }),
    };
    const definition = STEPS.find((candidate) => candidate.type === step.type)!;
    const run = definition.run as (s: Step, c: StepContext) => Promise<string>;
    steps.push({ type: step.type, outcome: await run(step, context) });
  }
  return { steps };
}
