import { defineStep } from './step.js';

export interface DmSendStep {
  type: 'dm.send';
  text: string;
  subject: string;
}

/** `- dm.send: { text, subject }`: one private message on the member's own platform. */
export const dmSend = defineStep({
  type: 'dm.send',
  needs: 'messenger',
  channel: 'dm',
  schema: ({ z }) =>
    z.strictObject({
      text: z
        .string()
        .min(1)
        .describe(
          'Message text; Liquid, e.g. "Welcome, {{ member.name }}!" (forums may require 10+ characters)',
        ),
      subject: z
        .string()
        .min(1)
        .default('Welcome to the community')
        .describe('Title, where private messages have one (forums); Liquid'),
    }),
  parse: (value): DmSendStep => ({ type: 'dm.send', ...value }),
  run: (step, { memberId, platform, activities }) => {
    if (!platform) return Promise.resolve('skipped: the journey has no platform to DM on');
    return activities(platform).sendDirectMessage({
      memberId,
      platform,
      text: step.text,
      subject: step.subject,
    });
  },
});
