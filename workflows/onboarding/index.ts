import { z } from 'zod';
import { defineWorkflow, startOn } from '../descriptor.js';
import { stepsSchema } from '../steps/schema.js';
import { onboardingWorkflowId } from './types.js';
import { onboarding } from './workflow.js';

export const onboardingConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  steps: stepsSchema,
});
export type OnboardingConfig = z.output<typeof onboardingConfigSchema>;

/** `workflows.onboarding`: a member joins (any platform) and goes through the steps once. */
export const onboardingWorkflow = defineWorkflow({
  name: 'onboarding',
  workflow: onboarding,
  config: onboardingConfigSchema,
  steps: (config) => [{ path: ['steps'], steps: config.steps }],
  triggers: [
    startOn({
      on: 'member.joined',
      workflow: onboarding,
      enabled: (config: OnboardingConfig) => config.enabled,
      id: ({ memberId }) => onboardingWorkflowId(memberId),
      input: ({ memberId, event, config, routing }) => ({
        memberId,
        platform: event.platform,
        steps: config.steps,
        routing,
      }),
      entry: 'once',
    }),
  ],
});
