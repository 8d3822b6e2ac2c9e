/**
 * The journey step language: every step type, listed explicitly. Any journey may use any step;
 * a new step is a file here plus a line in this list.
 */
import { crmUpsertContact } from './crm-upsert-contact.js';
import type { CrmUpsertContactStep } from './crm-upsert-contact.js';
import { dmSend } from './dm-send.js';
import type { DmSendStep } from './dm-send.js';
import { emailSend } from './email-send.js';
import type { EmailSendStep } from './email-send.js';
import { wait } from './wait.js';
import type { WaitStep } from './wait.js';

export const STEPS = [crmUpsertContact, emailSend, dmSend, wait] as const;

/** A parsed step, as a workflow receives it. */
export type Step = CrmUpsertContactStep | EmailSendStep | DmSendStep | WaitStep;
export type StepType = Step['type'];

export const STEP_TYPES: readonly StepType[] = STEPS.map((step) => step.type);
