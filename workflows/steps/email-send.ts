import { z } from 'zod';
import { defineStep } from './step.js';

export interface EmailSendStep {
  type: 'email.send';
  template: string;
  subject: string;
}

/** `- email.send: { template, subject }`: one templated email, never twice. */
export const emailSend = defineStep({
  type: 'email.send',
  needs: 'mailer',
  channel: 'email',
  schema: z.strictObject({
    template: z
      .string()
      .min(1)
      .describe('Template name: templates/<name>.txt.liquid (text) and <name>.html.liquid (HTML)'),
    subject: z.string().min(1).describe('Subject line; Liquid, e.g. "Welcome, {{ member.name }}"'),
  }),
  parse: (value): EmailSendStep => ({ type: 'email.send', ...value }),
  run: (step, { memberId, routing, activities }) =>
    activities(routing.providers?.mailer).sendEmail({
      memberId,
      template: step.template,
      subject: step.subject,
    }),
});
