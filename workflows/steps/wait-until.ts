import { EXIT_EVENTS } from '../../config/journey-events.js';
import type { Step } from './index.js';
import { defineStep } from './step.js';

export interface WaitUntilStep {
  type: 'wait_until';
  /** The member's event that takes the `then` path. */
  event: string;
  timeoutMs: number;
  then: Step[];
  else: Step[];
}

/**
 * `- wait_until: { event, timeout, then, else }`: waits for the member's event; `then` runs when
 * it comes, `else` when the time is up (Customer.io's "wait until"). An exit ends the wait and
 * runs neither.
 */
export const waitUntil = defineStep({
  type: 'wait_until',
  waits: true,
  schema: ({ z, duration, nested }) =>
    z
      .strictObject({
        event: z
          .enum(EXIT_EVENTS, {
            error: () => `not an event a journey hears (use one of ${EXIT_EVENTS.join(', ')})`,
          })
          .describe('The member event that takes the then path'),
        timeout: duration.describe('How long to wait for it before the else path, e.g. 3d'),
        then: nested.optional().describe('Steps when the event comes in time'),
        else: nested.optional().describe('Steps when the time is up'),
      })
      .refine((value) => value.then !== undefined || value.else !== undefined, {
        message:
          'a wait_until needs then, else or both (steps for when the event comes, for when it does not)',
      }),
  parse: (value): WaitUntilStep => ({
    type: 'wait_until',
    event: value.event,
    timeoutMs: value.timeout,
    then: value.then ?? [],
    else: value.else ?? [],
  }),
  run: async (step, context) => {
    const came = context.waitForEvent
      ? await context.waitForEvent(step.event, step.timeoutMs)
      : await context.engine.sleep(step.timeoutMs).then(() => false);
    const exited = context.exitReason?.();
    if (exited !== undefined) return `ended early: ${exited}`;
    const branch = came ? 'then' : 'else';
    await context.runSteps(step[branch], `${context.path}.${branch}`);
    return came ? `${step.event}: then` : 'timed out: else';
  },
});
