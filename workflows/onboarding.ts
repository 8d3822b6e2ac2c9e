import { log, proxyActivities, sleep } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { OnboardingStep } from '../config/schema.js';
import type { Platform } from '../connectors/community.js';
import { VENDOR_CALL } from './retry-policies.js';

type Activities = ReturnType<typeof createActivities>;

export interface OnboardingInput {
  memberId: string;
  /** The platform the member joined from: where `dm.send` steps message them. */
  platform?: Platform;
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
    const outcome = await runStep(step, input, activities);
    outcomes.push({ type: step.type, outcome });
    log.info('onboarding step done', { index, type: step.type, outcome });
  }
  return { steps: outcomes };
}

function runStep(
  step: OnboardingStep,
  { memberId, platform }: OnboardingInput,
  activities: Activities,
): Promise<string> {
  switch (step.type) {
    case 'wait':
      return sleep(step.ms).then(() => 'waited');
    case 'crm.upsert_contact':
      return activities.upsertCrmContact({ memberId, properties: step.properties });
    case 'email.send':
      return activities.sendEmail({ memberId, template: step.template, subject: step.subject });
    case 'dm.send':
      if (!platform) return Promise.resolve('skipped: the journey has no platform to DM on');
      return activities.sendDirectMessage({
        memberId,
        platform,
        text: step.text,
        subject: step.subject,
      });
  }
}
