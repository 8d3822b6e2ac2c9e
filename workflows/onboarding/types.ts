import type { Routing } from '../steps/context.js';
import type { Step } from '../steps/index.js';
import type { StepOutcome } from '../steps/run.js';

/** `onboarding:<memberId>`: one onboarding journey per member, ever. */
export const onboardingWorkflowId = (memberId: string): string => `onboarding:${memberId}`;

export interface OnboardingInput {
  memberId: string;
  /** The platform the member joined from: where `dm.send` steps message them. */
  platform?: string | undefined;
  /** The config's steps when the run started: later config edits affect only new runs. */
  steps: Step[];
  /** Which connectors and task queues serve the steps (absent in runs started before it). */
  routing?: Routing | undefined;
}

export interface OnboardingResult {
  steps: StepOutcome[];
}
