import { log, proxyActivities, sleep } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { OnboardingStep } from '../config/schema.js';
import { VENDOR_CALL } from './retry-policies.js';

type Activities = ReturnType<typeof createActivities>;

export interface OnboardingInput {
  memberId: string;
  /** The config's steps when the run started: later config edits affect only new runs. */
  steps: OnboardingStep[];
}

export interface OnboardingResult {
  steps: { type: OnboardingStep['type']; outcome: string }[];
}

/**
 * Runs the configured onboarding steps in order. Only the member id travels through history;
 * activities read the member's address and name from the store when they need them.
 */
export async function onboarding(input: OnboardingInput): Promise<OnboardingResult> {
  const outcomes: OnboardingResult['steps'] = [];
  for (const [index, step] of input.steps.entries()) {
    // A stable activity id per step keeps idempotency keys readable: onboarding:<id>/step-3.
    const activities = proxyActivities<Activities>({ ...VENDOR_CALL, activityId: `step-${index}` });
    switch (step.type) {
      case 'wait':
        await sleep(step.ms);
        outcomes.push({ type: step.type, outcome: 'waited' });
        break;
      case 'crm.upsert_contact':
        outcomes.push({
          type: step.type,
          outcome: await activities.upsertCrmContact({
            memberId: input.memberId,
            properties: step.properties,
          }),
        });
        break;
      case 'email.send':
        outcomes.push({
          type: step.type,
          outcome: await activities.sendEmail({
            memberId: input.memberId,
            template: step.template,
            subject: step.subject,
          }),
        });
        break;
    }
    log.info('onboarding step done', { index, type: step.type, outcome: outcomes.at(-1)?.outcome });
  }
  return { steps: outcomes };
}
