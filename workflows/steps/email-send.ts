import type { StepContext } from './context.js';
import { defineStep } from './step.js';

export interface EmailSendStep {
  type: 'email.send';
  template: string;
  subject: string;
  /** How long to wait for an unconfirmed address to be confirmed; the default when absent. */
  confirmWithinMs?: number;
}

/** sendEmail's outcome for an address its platform says is not confirmed yet: nothing sent. */
export const ADDRESS_UNCONFIRMED = 'skipped: address not confirmed on the platform';

/** Runs started on code before the wait for a confirmed address take their one send as before. */
export const WAIT_FOR_CONFIRMED_ADDRESS = 'email-waits-for-confirmed-address';
const DEFAULT_CONFIRM_WITHIN_MS = 3 * 24 * 3_600_000;
/** Asked again after 2 s, then twice as long each time up to every 30 min: ~155 asks in 3 days. */
const FIRST_PAUSE_MS = 2_000;
const LONGEST_PAUSE_MS = 30 * 60_000;

/**
 * `- email.send: { template, subject, confirm_within }`: one templated email, never twice. Where
 * the member's platform says their address is unconfirmed (a Discourse sign-up before its
 * confirmation mail is clicked), the send waits up to `confirm_within` (3d) for it: anyone can
 * sign up with someone else's address, and its owner must not get our mail for it.
 */
export const emailSend = defineStep({
  type: 'email.send',
  needs: 'mailer',
  channel: 'email',
  schema: ({ z, duration }) =>
    z.strictObject({
      template: z
        .string()
        .min(1)
        .describe(
          'Template name: templates/<name>.txt.liquid (text) and <name>.html.liquid (HTML)',
        ),
      subject: z
        .string()
        .min(1)
        .describe('Subject line; Liquid, e.g. "Welcome, {{ member.name }}"'),
      confirm_within: duration
        .optional()
        .describe('How long to wait for an unconfirmed address to be confirmed (default 3d)'),
    }),
  parse: ({ confirm_within, ...value }): EmailSendStep => ({
    type: 'email.send',
    ...value,
    ...(confirm_within !== undefined ? { confirmWithinMs: confirm_within } : {}),
  }),
  run: async (step, context) => {
    const send = (again?: string) =>
      context.activities(context.routing.providers?.mailer, again).sendEmail({
        memberId: context.memberId,
        template: step.template,
        subject: step.subject,
      });
    const outcome = await send();
    if (outcome !== ADDRESS_UNCONFIRMED || !context.engine.patched(WAIT_FOR_CONFIRMED_ADDRESS))
      return outcome;
    return sendOnceConfirmed(context, step.confirmWithinMs ?? DEFAULT_CONFIRM_WITHIN_MS, send);
  },
});

/** Asks again, less and less often, until the address is confirmed, the time is up or an exit. */
async function sendOnceConfirmed(
  { engine, exitReason }: StepContext,
  withinMs: number,
  send: (again: string) => Promise<string>,
): Promise<string> {
  const deadline = engine.now() + withinMs;
  let pause = FIRST_PAUSE_MS;
  for (let ask = 2; ; ask++) {
    const left = deadline - engine.now();
    if (left <= 0) return `${ADDRESS_UNCONFIRMED} within ${Math.round(withinMs / 1000)} s`;
    const ended = exitReason
      ? await engine.condition(() => exitReason() !== undefined, Math.min(pause, left))
      : await engine.sleep(Math.min(pause, left)).then(() => false);
    if (ended) return `ended early: ${exitReason?.()}`;
    const outcome = await send(`confirmed#${ask}`);
    if (outcome !== ADDRESS_UNCONFIRMED) return outcome;
    pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
  }
}
