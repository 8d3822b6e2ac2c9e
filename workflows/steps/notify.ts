import { defineStep } from './step.js';

export interface NotifyStep {
  type: 'notify';
  /** The connector whose channel it is; the only one that can post when absent. */
  platform?: string | undefined;
  channel: string;
  text: string;
}

/**
 * `- notify: { channel, text }`: tells the community team, in their channel, about the member
 * ("Ada went quiet after 40 posts"). Goes to the team, not the member: no send window, no cap.
 */
export const notify = defineStep({
  type: 'notify',
  needs: 'channelPoster',
  schema: ({ z }) =>
    z.strictObject({
      platform: z
        .string()
        .regex(/^[a-z][a-z0-9-]*$/, 'a connector id (a key under connectors:)')
        .optional()
        .describe('The connector whose channel it is; needed only when several can post'),
      channel: z.string().min(1).describe("The team's channel id, as the platform names it"),
      text: z
        .string()
        .min(1)
        .describe(
          'Liquid; member.name, member.posts, member.level and member.platforms, escaped for the platform',
        ),
    }),
  parse: (value): NotifyStep => ({ type: 'notify', ...value }),
  run: (step, { memberId, routing, activities }) => {
    // Resolved to a connector here, so the post waits its turn on that connector's paced queue.
    const platform = step.platform ?? routing.notices;
    return activities(platform).postNotice({
      memberId,
      platform,
      channel: step.channel,
      text: step.text,
    });
  },
});
