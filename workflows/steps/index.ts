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
import { ifStep } from './if.js';
import type { IfStep } from './if.js';
import { waitUntil } from './wait-until.js';
import { notify } from './notify.js';
import { crmSetProperties } from './crm-set-properties.js';
import type { CrmSetPropertiesStep } from './crm-set-properties.js';
import { threadReply } from './thread-reply.js';
import type { ThreadReplyStep } from './thread-reply.js';
import type { NotifyStep } from './notify.js';
import type { WaitUntilStep } from './wait-until.js';

export const STEPS = [
  crmUpsertContact,
  emailSend,
  dmSend,
  wait,
  waitUntil,
  ifStep,
  notify,
  crmSetProperties,
  threadReply,
] as const;

/** A parsed step, as a workflow receives it. */
export type Step =
  | CrmUpsertContactStep
  | EmailSendStep
  | DmSendStep
  | WaitStep
  | WaitUntilStep
  | IfStep
  | NotifyStep
  | CrmSetPropertiesStep
  | ThreadReplyStep;
export type StepType = Step['type'];

export const STEP_TYPES: readonly StepType[] = STEPS.map((step) => step.type);

/** The step lists a step holds (`wait_until`'s then and else), with their keys. */
export function nestedLists(step: Step): { key: string; steps: Step[] }[] {
  return step.type === 'wait_until' || step.type === 'if'
    ? [
        { key: 'then', steps: step.then },
        { key: 'else', steps: step.else },
      ]
    : [];
}

/** The member events a step list's `wait_until` steps wait for, at any depth. */
export function awaitedEvents(steps: readonly Step[]): string[] {
  const found = new Set<string>();
  const visit = (list: readonly Step[]) => {
    for (const step of list) {
      if (step.type === 'wait_until') found.add(step.event);
      for (const nested of nestedLists(step)) visit(nested.steps);
    }
  };
  visit(steps);
  return [...found];
}
