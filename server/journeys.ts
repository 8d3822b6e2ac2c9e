import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Journey, JourneysConfig } from '../config/journeys.js';
import { journeyHash, kindsOf } from '../config/journeys.js';
import { limitsFor } from '../config/limits.js';
import type { CommunityEvent } from '../connectors/events.js';
import { milestonesReachedBy } from '../store/activity.js';
import type { Db } from '../store/db.js';
import {
  lastJourneyEntry,
  markJourneyRunEnded,
  recordJourneyRun,
  runsHearing,
} from '../store/journey-runs.js';
import type { JourneyInput } from '../workflows/journey/types.js';
import { journeyWorkflowId } from '../workflows/journey/types.js';
import {
  exitSignal,
  journey as journeyWorkflow,
  memberEventSignal,
} from '../workflows/journey/workflow.js';
import { journeySearchAttributes } from '../workflows/journey/search-attributes.js';
import { awaitedEvents } from '../workflows/steps/index.js';
import type { Routing } from '../workflows/steps/context.js';
import type { SendLimits } from '../workflows/steps/send-gate.js';

export interface JourneyRouterDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  journeys: JourneysConfig;
  /** The config's `limits:`: every run keeps the caps it started with. */
  limits?: SendLimits | undefined;
  /** The namespace has the journeys' search attributes (runtime/search-attributes.ts). */
  searchAttributes?: boolean | undefined;
  routing: Routing;
  logger: Logger;
  /** How long one start or signal may wait on Temporal before the caller answers 503. */
  timeoutMs: number;
}

/** The thread an event happened in, for `thread.reply`: none for events outside a thread. */
function threadOf(event: CommunityEvent): { thread?: { channelId: string; threadId: string } } {
  if (!('channelId' in event) || event.threadId === undefined) return {};
  return { thread: { channelId: event.channelId, threadId: event.threadId } };
}

/** started: a run is going (new or joined); finished: a `once` run already ran to its end. */
export type JourneyOutcome = 'started' | 'finished' | 'not-due';

function matches(journey: Journey, event: CommunityEvent, milestones: readonly string[]): boolean {
  const trigger = journey.trigger;
  if (trigger.kind === 'milestone') return milestones.includes(trigger.milestone);
  // Inactivity is found by the scan (workflows/journey-scan), not by an event.
  if (trigger.kind === 'inactive') return false;
  if (trigger.on !== event.type) return false;
  if (trigger.platforms && !trigger.platforms.includes(event.platform)) return false;
  if (
    trigger.channel !== undefined &&
    !('channelId' in event && event.channelId === trigger.channel)
  )
    return false;
  if (trigger.text !== undefined) {
    const text = 'text' in event ? event.text : '';
    if (!text.toLowerCase().includes(trigger.text.toLowerCase())) return false;
  }
  return true;
}

/**
 * Signals the member's runs that hear an event of these kinds (found in the store, so only runs
 * that wait for this kind of event get a signal): an exit, or what a wait_until waits for.
 * `ending`: the member left or is being erased, which ends every run with that reason. Safe to
 * repeat.
 */
export async function signalMember(
  deps: Pick<JourneyRouterDeps, 'db' | 'temporal' | 'logger' | 'timeoutMs'>,
  memberId: string,
  kinds: string[],
  ending: false | 'member.left' | 'erased' = false,
): Promise<number> {
  const leaving = ending !== false;
  const runs = await runsHearing(deps.db, memberId, kinds, leaving);
  for (const run of runs) {
    const handle = deps.temporal.workflow.getHandle(run.workflowId);
    try {
      await deps.temporal.connection.withDeadline(Date.now() + deps.timeoutMs, () =>
        run.exits
          ? handle.signal(exitSignal, { reason: ending === false ? kinds[0]! : ending })
          : handle.signal(memberEventSignal, { kinds }),
      );
      deps.logger.info(
        { workflowId: run.workflowId, kinds, exits: run.exits },
        'journey signalled',
      );
    } catch (error) {
      // Finished already (or never started): it is not signalled again.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      await markJourneyRunEnded(deps.db, run.workflowId);
    }
  }
  return runs.length;
}

/**
 * The journeys' part of routing an event: first it signals the member's runs that hear it (an
 * exit, or what a wait_until waits for; found in the store, so only runs that wait for this kind
 * of event get a signal), then it starts the journeys the event triggers, by their entry rule.
 * Every step is safe to repeat.
 */
export function createJourneyRouter(deps: JourneyRouterDeps) {
  const withDeadline = <T>(work: () => Promise<T>) =>
    deps.temporal.connection.withDeadline(Date.now() + deps.timeoutMs, work);

  async function enter(
    name: string,
    journey: Journey,
    event: CommunityEvent,
    memberId: string,
  ): Promise<JourneyOutcome> {
    const enteredAt = new Date(event.occurredAt);
    const workflowId = journeyWorkflowId(
      name,
      memberId,
      journey.entry.kind === 'once' ? undefined : event.eventId,
    );
    if (journey.entry.kind === 'once_per') {
      const last = await lastJourneyEntry(deps.db, name, memberId);
      if (
        last &&
        last.workflowId !== workflowId &&
        enteredAt.getTime() - last.enteredAt.getTime() < journey.entry.ms
      )
        return 'not-due';
    }
    // Recorded first, so an exit that arrives while the start is on its way finds the run.
    await recordJourneyRun(deps.db, {
      workflowId,
      journey: name,
      memberId,
      exitWhen: journey.exitWhen,
      awaits: awaitedEvents(journey.steps),
      enteredAt,
    });
    const input: JourneyInput = {
      journey: name,
      memberId,
      platform: event.platform,
      ...threadOf(event),
      steps: journey.steps,
      exitWhen: journey.exitWhen,
      routing: deps.routing,
      sendWindow: journey.sendWindow,
      limits: limitsFor(deps.limits, journey),
      ...(deps.searchAttributes ? { searchAttributes: true } : {}),
      ...(journey.markWaits === false ? { markWaits: false } : {}),
    };
    try {
      await withDeadline(() =>
        deps.temporal.workflow.start(journeyWorkflow, {
          taskQueue: deps.taskQueue,
          workflowId,
          args: [input],
          memo: { journey: name, journeyHash: journeyHash(journey) },
          ...(deps.searchAttributes
            ? { typedSearchAttributes: journeySearchAttributes(name, memberId) }
            : {}),
          // A duplicate joins the running run; a finished one is never started again.
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      );
      return 'started';
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        await markJourneyRunEnded(deps.db, workflowId);
        return 'finished';
      }
      throw error;
    }
  }

  return async function routeJourneys(
    event: CommunityEvent,
    memberId: string,
    /** This event made the member: no run of theirs can be waiting to hear it. */
    options: { newMember?: boolean } = {},
  ): Promise<JourneyOutcome[]> {
    const journeys = Object.entries(deps.journeys).filter(([, journey]) => journey.enabled);
    if (journeys.length === 0) return [];
    if (!options.newMember)
      await signalMember(
        deps,
        memberId,
        kindsOf(event.type),
        event.type === 'member.left' ? 'member.left' : false,
      );
    const milestones = journeys.some(([, journey]) => journey.trigger.kind === 'milestone')
      ? await milestonesReachedBy(deps.db, memberId, event.eventId)
      : [];
    const outcomes: JourneyOutcome[] = [];
    for (const [name, journey] of journeys) {
      if (!matches(journey, event, milestones)) continue;
      const outcome = await enter(name, journey, event, memberId);
      deps.logger.info(
        { eventId: event.eventId, journey: name, memberId, outcome },
        'journey trigger',
      );
      outcomes.push(outcome);
    }
    return outcomes;
  };
}
