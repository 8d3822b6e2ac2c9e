import { ConnectorError } from '../connectors/errors.js';
import type { MemberFacts } from '../store/member-facts.js';
import { memberFacts } from '../store/member-facts.js';
import type { ActivityDeps } from './index.js';
import { activityKey } from './activity-key.js';
import { toActivityFailure } from './failures.js';
import { requireMember } from './member.js';
import { postedOutcome, sendOnce } from './send-once.js';
import { renderText } from './templates.js';

/** What a notice's text may use; `townhall simulate` renders with the same. */
export function noticeVariables(name: string | null, facts: MemberFacts) {
  return {
    member: {
      name: name ?? 'a member',
      posts: facts.posts,
      level: facts.level ?? 'none',
      platforms: facts.platforms.join(', '),
    },
  };
}

/** The connector a notice goes out on: the one named, else the only one that can post. */
function posterFor(deps: ActivityDeps, platform: string | undefined) {
  const posters = deps.channelPosters ?? {};
  const ids = Object.keys(posters);
  const id = platform ?? (ids.length === 1 ? ids[0] : undefined);
  const poster = id === undefined ? undefined : posters[id];
  if (!poster || id === undefined)
    throw new ConnectorError(
      'invalid',
      platform !== undefined
        ? `notify: connectors.${platform} cannot post in channels (these can: ${ids.join(', ') || 'none'})`
        : `notify: name the platform (one of ${ids.join(', ') || 'none configured'})`,
      { vendor: 'townhall' },
    );
  return { id, poster };
}

export function createNoticeActivities(deps: ActivityDeps) {
  return {
    /**
     * One post in the community team's channel about a member, at most once per step. The
     * member's name and facts are escaped in the platform's markup before they are inserted:
     * a name like "@everyone" or "<!channel>" stays text. A notice refused for good (the bot
     * is not in the channel, a template error) is the step's outcome, not the journey's end:
     * the member's own steps after it still run. Passing trouble (a 429, an outage) retries.
     */
    async postNotice(input: {
      memberId: string;
      platform?: string | undefined;
      channel: string;
      text: string;
    }): Promise<string> {
      try {
        const { id, poster } = posterFor(deps, input.platform);
        const member = await requireMember(deps.db, input.memberId);
        const facts = await memberFacts(deps.db, member.id);
        const text = await renderText(
          input.text,
          noticeVariables(member.name, facts),
          'notify text',
          poster.escape,
        );
        const outcome = await sendOnce(deps, activityKey(), `notice:${id}`, {
          findsEarlier: true,
          run: (attempt) => poster.postToChannel({ ...attempt, channelId: input.channel, text }),
        });
        return postedOutcome(outcome);
      } catch (error) {
        if (error instanceof ConnectorError && !error.retryable) {
          deps.logger.warn(
            { memberId: input.memberId, code: error.code, err: error },
            'notice refused; the journey goes on',
          );
          return `failed: ${error.message}`;
        }
        throw toActivityFailure(error);
      }
    },
  };
}
