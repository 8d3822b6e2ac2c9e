import type { StepEngine } from '../steps/engine.js';
import { createStepRunner } from '../steps/run.js';
import type { StepOutcome } from '../steps/run.js';
import type { JourneyInput, JourneyPosition, JourneyResult } from './types.js';

/** How a run hears the member: the router's two signals, or the simulator's scripted events. */
export interface JourneyEars {
  onExit(handler: (reason: string) => void): void;
  onMemberEvent(handler: (kinds: string[]) => void): void;
}

/**
 * One member's run through one journey, on any engine: the journey workflow runs it on Temporal,
 * `townhall simulate` on a virtual clock. An exit ends a wait at once; the step in progress (a
 * send) finishes, nothing after.
 */
export async function runJourney(
  input: JourneyInput,
  engine: StepEngine,
  ears: JourneyEars,
  hooks: {
    onPosition?: (position: JourneyPosition) => void;
    /** The run settles in to wait there: a wait, a wait_until, a held message. */
    onWait?: (position: JourneyPosition) => void;
    onStepDone?: (index: number, outcome: StepOutcome) => void;
  } = {},
): Promise<JourneyResult> {
  let exited: string | undefined;
  ears.onExit((reason) => {
    exited ??= reason;
  });
  // How many of each kind of event arrived: a wait_until waits for one more than at its start.
  const arrived = new Map<string, number>();
  ears.onMemberEvent((kinds) => {
    for (const kind of kinds) arrived.set(kind, (arrived.get(kind) ?? 0) + 1);
  });
  const waitForEvent = async (kind: string, ms: number) => {
    const before = arrived.get(kind) ?? 0;
    await engine.condition(() => (arrived.get(kind) ?? 0) > before || exited !== undefined, ms);
    return (arrived.get(kind) ?? 0) > before;
  };
  const steps = await createStepRunner({
    ...input,
    engine,
    exitReason: () => exited,
    waitForEvent,
    onStep: (path, type) => hooks.onPosition?.({ path, type }),
    onWait: (path, type) => hooks.onWait?.({ path, type }),
  }).runSteps(input.steps, 'steps', hooks.onStepDone);
  return { steps, ...(exited ? { exited } : {}) };
}
