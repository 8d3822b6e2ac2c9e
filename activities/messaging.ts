import { getIdentity } from '../store/members.js';
import type { ActivityDeps } from './index.js';
import { activityKey } from './activity-key.js';
import { toActivityFailure } from './failures.js';
import { requireMember } from './member.js';
import { postedOutcome, sendOnce } from './send-once.js';
import { renderLine, renderText } from './templates.js';

export function createMessagingActivities(deps: ActivityDeps) {
  const { db, messengers } = deps;
  return {
    /**
     * One private message to the member on the platform they joined from, at most once per
     * step: the ledger answers a confirmed repeat, and after an attempt whose outcome is unknown
     * (a crash or a lost answer mid-send) the platform looks for that attempt's message by the
     * same key before posting.
     */
    async sendDirectMessage(input: {
      memberId: string;
      platform: string;
      text: string;
      subject: string;
    }): Promise<string> {
      const messenger = messengers?.[input.platform];
      if (!messenger) return `skipped: no ${input.platform} connector can send direct messages`;
      const member = await requireMember(db, input.memberId);
      const identity = await getIdentity(db, member.id, input.platform);
      if (!identity) return `skipped: member has no ${input.platform} identity`;

      const vars = { member: { name: member.name ?? identity.handle ?? 'there' } };
      // The member's name is theirs to choose: escaped in the platform's markup. A subject
      // (a forum's title) is one line of plain text, never markup.
      const text = await renderText(input.text, vars, 'dm.send text', messenger.escape).catch(fail);
      const subject = await renderLine(input.subject, vars, 'dm.send subject').catch(fail);
      const outcome = await sendOnce(deps, activityKey(), `dm:${input.platform}`, {
        findsEarlier: true,
        run: (attempt) =>
          messenger.sendDirectMessage({
            ...attempt,
            to: { userId: identity.userId, handle: identity.handle ?? undefined },
            text,
            subject,
          }),
      }).catch(fail);
      return postedOutcome(outcome);
    },
  };
}

function fail(error: unknown): never {
  throw toActivityFailure(error);
}
