import { defineStep } from './step.js';

export interface ThreadReplyStep {
  type: 'thread.reply';
  text: string;
}

/**
 * `- thread.reply: { text }`: a reply in the thread the journey's trigger came from (a member's
 * message or reaction inside a thread, or a command run in one). Triggers outside a thread, and
 * inactivity or milestone journeys, have none: the step is skipped, saying so.
 */
export const threadReply = defineStep({
  type: 'thread.reply',
  needs: 'threadPoster',
  schema: ({ z }) =>
    z.strictObject({
      text: z
        .string()
        .min(1)
        .describe(
          'Liquid; member.name is escaped for the platform, e.g. "Thanks, {{ member.name }}!"',
        ),
    }),
  parse: (value): ThreadReplyStep => ({ type: 'thread.reply', ...value }),
  run: (step, { memberId, platform, thread, activities }) => {
    if (!platform || !thread)
      return Promise.resolve('skipped: the trigger did not come from a thread');
    return activities(platform).replyToThread({
      memberId,
      platform,
      channelId: thread.channelId,
      threadId: thread.threadId,
      text: step.text,
    });
  },
});
