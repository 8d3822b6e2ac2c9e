import { condition, defineQuery, defineSignal, log, setHandler } from '@temporalio/workflow';
import { createStepRunner } from '../steps/run.js';
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
 * One member's run through one journey: the steps it started with, in order, until the last one
 * or an exit. An exit ends a wait at once; the step in progress (a send) finishes, nothing after.
 */
export async function journey(input: JourneyInput): Promise<JourneyResult> {
  let exited: string | undefined;
  let position: JourneyPosition | null = null;
  setHandler(positionQuery, () => position);
  setHandler(exitSignal, ({ reason }) => {
    exited ??= reason;
  });
  // How many of each kind of event arrived: a wait_until waits for one more than at its start.
  const arrived = new Map<string, number>();
  setHandler(memberEventSignal, ({ kinds }) => {
    for (const kind of kinds) arrived.set(kind, (arrived.get(kind) ?? 0) + 1);
  });
  const waitForEvent = async (kind: string, ms: number) => {
    const before = arrived.get(kind) ?? 0;
    await condition(() => (arrived.get(kind) ?? 0) > before || exited !== undefined, ms);
    return (arrived.get(kind) ?? 0) > before;
  };
  const steps = await createStepRunner({
    ...input,
    exitReason: () => exited,
    waitForEvent,
    onStep: (path, type) => {
      position = { path, type };
    },
  }).runSteps(input.steps, 'steps', (index, result) =>
    log.info('journey step done', { journey: input.journey, index, ...result }),
  );
  if (exited) log.info('journey exited', { journey: input.journey, reason: exited });
  return { steps, ...(exited ? { exited } : {}) };
}
