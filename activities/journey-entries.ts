import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { forgetJourneyRun } from '../store/journey-runs.js';
import { lapsedMembers } from '../store/lapsed-members.js';
import { journeySearchAttributes } from '../workflows/journey/search-attributes.js';
import type { JourneyInput } from '../workflows/journey/types.js';
import { journeyWorkflowId } from '../workflows/journey/types.js';
import type { journey } from '../workflows/journey/workflow.js';
import { awaitedEvents } from '../workflows/steps/index.js';
import type { ActivityDeps } from './index.js';
import type { LapsedPage } from './journeys.js';
import { lapsedQuery, recordEntries } from './journeys.js';

/** What every run a scan starts shares; each adds its member and the platform to reach them on. */
export type JourneyTemplate = Omit<JourneyInput, 'memberId' | 'platform'>;

/** A scan's page; `once` (`entry: once`) also makes a member's run id theirs for good. */
export interface EntryPage extends LapsedPage {
  /**
   * When this page's entries are recorded: fixed by the scan, so that a retried attempt finds
   * again the members an attempt that died recorded (and maybe did not start).
   */
  enteredAt: string;
  template: JourneyTemplate;
  /** The scan's own queue, where its runs go (a child started on it went there too). */
  taskQueue: string;
  memo: Record<string, unknown>;
}

export interface EntryPageResult {
  /** Runs this attempt started (a lapse entered already is not counted). */
  entered: number;
  /** The last member read: the next page starts after it. */
  lastId: string | undefined;
  /** A full page: there may be more. */
  more: boolean;
}

/**
 * The inactivity scan's page in one activity (one Temporal action, where a read, a record and a
 * child start of two actions a run took more): who went quiet, recorded as entered (before the
 * runs start, so an exit that arrives meanwhile finds them), then each run started with the
 * Temporal client, its workflow id keyed by the lapse: a start that finds its run already there
 * (another scan, or this page's earlier attempt) starts nothing.
 */
export function createJourneyEntryActivities(deps: ActivityDeps) {
  return {
    async enterLapsedMembers(input: EntryPage): Promise<EntryPageResult> {
      const temporal = deps.temporal;
      if (!temporal)
        throw new Error('enterLapsedMembers needs a Temporal client in the worker’s activity deps');
      const enteredAt = new Date(input.enteredAt);
      const found = await lapsedMembers(deps.db, {
        ...lapsedQuery(input, Date.now()),
        ownEntriesAt: enteredAt,
      });
      const entries = found.map((member) => ({
        ...member,
        workflowId: journeyWorkflowId(
          input.journey,
          member.memberId,
          input.once ? undefined : `lapse-${member.lastActiveAt.getTime()}`,
        ),
      }));
      const { exitWhen, steps } = input.template;
      const awaits = awaitedEvents(steps);
      await recordEntries(
        deps.db,
        { journey: input.journey, exitWhen, awaits, enteredAt },
        entries,
      );
      let entered = 0;
      for (const [index, entry] of entries.entries()) {
        try {
          await temporal.workflow.start<typeof journey>('journey', {
            taskQueue: input.taskQueue,
            workflowId: entry.workflowId,
            args: [{ ...input.template, memberId: entry.memberId, platform: entry.platform }],
            memo: input.memo,
            ...(input.template.searchAttributes
              ? { typedSearchAttributes: journeySearchAttributes(input.journey, entry.memberId) }
              : {}),
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          });
          entered++;
        } catch (error) {
          if (error instanceof WorkflowExecutionAlreadyStartedError) continue;
          // Not started: their records must not keep these members out of the next scans.
          for (const unstarted of entries.slice(index))
            await forgetJourneyRun(deps.db, unstarted.workflowId);
          throw error;
        }
      }
      return {
        entered,
        lastId: found.at(-1)?.memberId,
        more: found.length === input.limit,
      };
    },
  };
}
