import {
  defineQuery,
  defineSignal,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { EXITED_PREFIX, STEP_KEY } from './search-attributes.js';
import { temporalEngine } from '../steps/temporal-engine.js';
import { runJourney } from './run.js';
import type {
  ExitSignal,
  JourneyInput,
  JourneyPosition,
  JourneyResult,
  MemberEventSignal,
} from './types.js';

/** Sent by the router when the member does what the journey's `exit_when` lists. */
export const exitSignal = defineSignal<[ExitSignal]>('exit');

/** Where a run is: the step in progress (`townhall journeys` asks running runs). */
export const positionQuery = defineQuery<JourneyPosition | null>('position');

/** Sent by the router when the member does what one of the journey's `wait_until` waits for. */
export const memberEventSignal = defineSignal<[MemberEventSignal]>('member-event');

/**
 * One member's run through one journey (workflows/journey/run.ts, the same code `townhall
 * simulate` runs): the steps it started with, in order, until the last one or an exit.
 */
export async function journey(input: JourneyInput): Promise<JourneyResult> {
  let position: JourneyPosition | null = null;
  // Patched besides: a history from a worker without search attributes replays without them.
  let upserts: boolean | undefined;
  const keepStepCurrent = () => (upserts ??= patched('journey-step-search-attribute'));
  setHandler(positionQuery, () => position);
  const result = await runJourney(
    input,
    temporalEngine,
    {
      onExit: (handler) => setHandler(exitSignal, ({ reason }) => handler(reason)),
      onMemberEvent: (handler) => setHandler(memberEventSignal, ({ kinds }) => handler(kinds)),
    },
    {
      onPosition: (at) => {
        position = at;
        // Only runs started where the attribute exists (an unknown one fails the task).
        if (input.searchAttributes && keepStepCurrent())
          upsertSearchAttributes([{ key: STEP_KEY, value: `${at.path} ${at.type}` }]);
      },
      onStepDone: (index, result) =>
        log.info('journey step done', { journey: input.journey, index, ...result }),
    },
  );
  if (result.exited) {
    log.info('journey exited', { journey: input.journey, reason: result.exited });
    // The console counts exits by reason from this (`TownhallStep = "exited <reason>"`).
    if (input.searchAttributes && patched('journey-exit-reason-search-attribute'))
      upsertSearchAttributes([{ key: STEP_KEY, value: `${EXITED_PREFIX}${result.exited}` }]);
  }
  return result;
}
