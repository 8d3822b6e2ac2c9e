import { requireMember } from './member.js';
import type { ActivityDeps } from './index.js';
import { activityKey } from './activity-key.js';
import { toActivityFailure } from './failures.js';
import { postedOutcome, sendOnce } from './send-once.js';
import { renderText } from './templates.js';

export function createThreadReplyActivities(deps: ActivityDeps) {
  return {
    /**
     * A journey's reply in the thread its trigger came from, at most once per step; the member's
     * name is escaped in the platform's markup before it is inserted.
     */
    async replyToThread(input: {
      memberId: string;
      platform: string;
      channelId: string;
      threadId: string;
      text: string;
    }): Promise<string> {
      const poster = deps.threadPosters?.[input.platform];
      if (!poster) return `skipped: no ${input.platform} connector can reply in threads`;
      try {
        const member = await requireMember(deps.db, input.memberId);
        const text = await renderText(
          input.text,
          { member: { name: member.name ?? 'there' } },
          'thread.reply text',
          poster.escape,
        );
        const outcome = await sendOnce(deps, activityKey(), `thread:${input.platform}`, {
          findsEarlier: true,
          run: (attempt) =>
            poster.replyInThread({
              ...attempt,
              channelId: input.channelId,
              threadId: input.threadId,
              text,
            }),
        });
        return postedOutcome(outcome);
      } catch (error) {
        throw toActivityFailure(error);
      }
    },
  };
}
