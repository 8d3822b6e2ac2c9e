import { activityInfo } from '@temporalio/activity';
import type { LapsedQuery } from '../store/lapsed-members.js';
import { lapsedMembers } from '../store/lapsed-members.js';
import type { SlotAnswer } from '../store/send-slots.js';
import { releaseSendSlot, takeSendSlot } from '../store/send-slots.js';
import { forgetJourneyRun, recordJourneyRun } from '../store/journey-runs.js';
import type { MemberFacts } from '../store/member-facts.js';
import { memberFacts } from '../store/member-facts.js';
import type { ActivityDeps } from './index.js';

export interface LapsedPage {
  journey: string;
  inactiveMs: number;
  levels?: string[] | undefined;
  /** `entry: once_per`: skip members who entered within this long. */
  oncePerMs?: number | undefined;
  /** `entry: once`: skip members who ever entered (their run id is taken for good). */
  once?: boolean | undefined;
  afterId?: string | undefined;
  limit: number;
}

/** The store's query for a scan's page, its times counted back from `now`. */
export const lapsedQuery = (input: LapsedPage, now: number): LapsedQuery => ({
  journey: input.journey,
  cutoff: new Date(now - input.inactiveMs),
  levels: input.levels,
  enteredSince: input.oncePerMs === undefined ? undefined : new Date(now - input.oncePerMs),
  enteredEver: input.once,
  afterId: input.afterId,
  limit: input.limit,
});

/** A scan's entries, recorded as entered at one moment (before their runs start). */
export async function recordEntries(
  db: ActivityDeps['db'],
  input: { journey: string; exitWhen: string[]; awaits: string[]; enteredAt: Date },
  entries: readonly { workflowId: string; memberId: string }[],
): Promise<void> {
  for (const { workflowId, memberId } of entries)
    await recordJourneyRun(db, { ...input, workflowId, memberId });
}

/**
 * The journeys' store work: the inactivity scan's (who went quiet, the runs it starts for them)
 * and the facts an `if` step decides on.
 */
/** A step's cap slot key: its run's workflow id and the step's activity id. */
function stepKey(step: string): string {
  const workflowId = activityInfo().workflowExecution?.workflowId;
  if (!workflowId) throw new Error('send slots need an activity started by a workflow');
  return `${workflowId}/${step}`;
}

export function createJourneyActivities(deps: ActivityDeps) {
  return {
    /** Read once per `if` step and kept in history: a replay decides the same way. */
    async memberFacts(input: { memberId: string }): Promise<MemberFacts> {
      return memberFacts(deps.db, input.memberId);
    },

    /**
     * A place under the member's cap for one message (workflows/steps/send-gate.ts), keyed by
     * the run and the step, so a retry or a replay finds the place it took.
     */
    async takeSendSlot(input: {
      memberId: string;
      /** The step's activity id in its run. */
      step: string;
      channel: string;
      limit: number;
      periodMs: number;
      /** The run's clock when it asked, ms since the epoch. */
      at?: number | undefined;
    }): Promise<SlotAnswer> {
      return takeSendSlot(deps.db, {
        stepKey: stepKey(input.step),
        memberId: input.memberId,
        channel: input.channel,
        limit: input.limit,
        periodMs: input.periodMs,
        ...(input.at !== undefined ? { now: new Date(input.at) } : {}),
      });
    },

    /** The place a message took under its cap, given back: it was not sent after all. */
    async releaseSendSlot(input: { step: string }): Promise<void> {
      await releaseSendSlot(deps.db, stepKey(input.step));
    },

    async lapsedMembers(
      input: LapsedPage,
    ): Promise<{ memberId: string; lastActiveAt: string; platform: string }[]> {
      const found = await lapsedMembers(deps.db, lapsedQuery(input, Date.now()));
      return found.map((member) => ({
        ...member,
        lastActiveAt: member.lastActiveAt.toISOString(),
      }));
    },

    /** A recorded entry whose run could not start: the next scan finds the member again. */
    async forgetJourneyEntry(input: { workflowId: string }): Promise<void> {
      await forgetJourneyRun(deps.db, input.workflowId);
    },

    /** Recorded before the runs start, so an exit that arrives meanwhile finds them. */
    async recordJourneyEntries(input: {
      journey: string;
      exitWhen: string[];
      awaits: string[];
      entries: { workflowId: string; memberId: string }[];
    }): Promise<void> {
      const { journey, exitWhen, awaits } = input;
      await recordEntries(
        deps.db,
        { journey, exitWhen, awaits, enteredAt: new Date() },
        input.entries,
      );
    },
  };
}
