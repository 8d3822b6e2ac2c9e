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
  // Where a run marks TownhallStep, decided once, at its first step. Each upsert is a billed
  // action, so runs started on this code mark it only where they wait ('waits'); runs started
  // before keep marking every step ('every'), as their histories hold. None without the attribute
  // in the namespace (an unknown one fails the task), nor in histories from a worker without it.
  let marks: 'none' | 'every' | 'waits' | undefined;
  const marking = () =>
    (marks ??= !input.searchAttributes
      ? 'none'
      : patched('journey-step-attribute-at-waits')
        ? 'waits'
        : patched('journey-step-search-attribute')
          ? 'every'
          : 'none');
  let marked: string | undefined;
  const mark = (at: JourneyPosition) => {
    marked = `${at.path} ${at.type}`;
    upsertSearchAttributes([{ key: STEP_KEY, value: marked }]);
  };
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
        if (marking() === 'every') mark(at);
      },
      // A message held for its window and then its cap is one mark, not one per hold.
      onWait: (at) => {
        if (input.markWaits === false) return;
        if (marking() === 'waits' && marked !== `${at.path} ${at.type}`) mark(at);
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
