import type { Routing, StepContext, ThreadRef } from './context.js';
import type { StepEngine } from './engine.js';
import type { Step } from './index.js';
import { STEPS } from './index.js';
import type { SendLimits } from './send-gate.js';
import { gateSend } from './send-gate.js';
import type { SendWindow } from './send-window.js';
import { temporalEngine } from './temporal-engine.js';

export interface StepOutcome {
  /** A step type, or `send_window` / `cap` where a message was held before its step. */
  type: Step['type'] | 'send_window' | 'cap';
  outcome: string;
  /** Where the step sits: `steps[2].then[0]`. */
  path?: string | undefined;
  /** When it finished, in ms since the run began (the run's clock: real or virtual). */
  at?: number | undefined;
}

/**
 * Counts how often each step path has run in this run, so a step that runs again (a loop, a
 * repeated drip) gets a new activity id, and with it a new idempotency key: `steps[2]#1`,
 * `steps[2]#2`. Deterministic: it lives in the workflow's own state.
 */
export function stepIterations() {
  const seen = new Map<string, number>();
  return (path: string): number => {
    const next = (seen.get(path) ?? 0) + 1;
    seen.set(path, next);
    return next;
  };
}

/** Runs are started before step paths existed used `step-<index>`: they keep it on replay. */
const STEP_PATH_IDS = 'activity-ids-from-step-paths';

/**
 * Send windows and caps hold a message before its step. Only runs whose input has them do it,
 * and a patch besides: a history written by a worker without this code (a deploy in progress)
 * replays without the hold instead of failing.
 */
const SEND_RULES = 'journey-send-windows-and-caps';

export interface StepRun {
  memberId: string;
  platform?: string | undefined;
  /** The thread the trigger came from, where it came from one. */
  thread?: ThreadRef | undefined;
  routing?: Routing | undefined;
  /** Temporal unless given: `townhall simulate` hands in a virtual clock. */
  engine?: StepEngine | undefined;
  /** Messages to the member go out only inside it (journeys with `send_window`). */
  sendWindow?: SendWindow | undefined;
  /** Caps per channel across journeys (`limits:`), fixed when the run started. */
  limits?: SendLimits | undefined;
  /** Why the run must stop (an exit signal), or undefined; runs without exits leave it out. */
  exitReason?: (() => string | undefined) | undefined;
  /** How `wait_until` hears the member's events; runs that hear none leave it out. */
  waitForEvent?: ((kind: string, ms: number) => Promise<boolean>) | undefined;
  /** Told as each step starts (its path and type): where a run is, for a query. */
  onStep?: ((path: string, type: string) => void) | undefined;
  /**
   * Told as the run settles in to wait at a step: one that waits (`wait`, `wait_until`), or a
   * message held for its send window or cap (told at each hold).
   */
  onWait?: ((path: string, type: string) => void) | undefined;
}

/**
 * The steps of one workflow run. Create it once per run: it counts how often each step path has
 * run, so a list that runs again (a loop, a repeated drip) gets new activity ids (`steps[0]#2`),
 * and with them new idempotency keys. Only the member id travels through history; activities
 * read the member's address and name from the store when they need them.
 */
export function createStepRunner(run: StepRun) {
  const engine = run.engine ?? temporalEngine;
  const pathIds = engine.patched(STEP_PATH_IDS);
  const iteration = stepIterations();
  const routing = run.routing ?? {};
  const startedAt = engine.now();
  let sendRules: boolean | undefined;
  const sendRulesApply = () =>
    run.sendWindow !== undefined || run.limits !== undefined
      ? (sendRules ??= engine.patched(SEND_RULES))
      : false;
  /** Every step's outcome in the order steps finish: a wait_until's branch before itself. */
  const timeline: StepOutcome[] = [];
  let timeZone: Promise<string | undefined> | undefined;
  const memberTimeZone = () =>
    (timeZone ??= engine
      .activities({ activityId: 'member-time-zone' })
      .memberFacts({ memberId: run.memberId })
      .then((facts) => facts.timezone ?? undefined));
  /** Waits `ms`, ended early by an exit in runs that have exits; true when one did. */
  const pause = async (ms: number): Promise<boolean> => {
    const exitReason = run.exitReason;
    if (!exitReason) return engine.sleep(ms).then(() => false);
    return engine.condition(() => exitReason() !== undefined, ms);
  };

  /**
   * Runs `steps` in order; `path` is where the list sits in the workflow's config. Resolves to
   * the outcomes of these steps and of the lists inside them.
   */
  async function runSteps(
    steps: readonly Step[],
    path = 'steps',
    log: (index: number, outcome: StepOutcome) => void = () => undefined,
  ): Promise<StepOutcome[]> {
    const from = timeline.length;
    for (const [index, step] of steps.entries()) {
      if (run.exitReason?.() !== undefined) break;
      const stepPath = `${path}[${index}]`;
      run.onStep?.(stepPath, step.type);
      const definition = STEPS.find((candidate) => candidate.type === step.type)!;
      if (definition.waits) run.onWait?.(stepPath, step.type);
      const activityId = pathIds ? `${stepPath}#${iteration(stepPath)}` : `step-${index}`;
      const context: StepContext = {
        memberId: run.memberId,
        platform: run.platform,
        thread: run.thread,
        routing,
        engine,
        exitReason: run.exitReason,
        waitForEvent: run.waitForEvent,
        path: stepPath,
        runSteps: (nested, nestedPath) => runSteps(nested, nestedPath, log),
        activities: (vendor, again) => {
          const taskQueue = vendor ? routing.queues?.[vendor] : undefined;
          return engine.activities({
            activityId: again ? `${activityId}/${again}` : activityId,
            taskQueue,
          });
        },
      };
      const held =
        definition.channel && sendRulesApply()
          ? await gateSend({
              engine,
              memberId: run.memberId,
              activityId,
              channel: definition.channel,
              window: run.sendWindow,
              limits: run.limits,
              memberTimeZone,
              pause,
              note: (type, outcome) => {
                timeline.push({ type, outcome, path: stepPath, at: engine.now() - startedAt });
                run.onWait?.(stepPath, step.type);
              },
            })
          : undefined;
      const runStep = definition.run as (s: Step, c: StepContext) => Promise<string>;
      const outcome: StepOutcome = {
        type: step.type,
        outcome: held ?? (await runStep(step, context)),
        path: stepPath,
        at: engine.now() - startedAt,
      };
      // A message that took a place under its cap and then was not sent (no address, no
      // identity on that platform, opted out) gives the place back.
      if (
        held === undefined &&
        definition.channel &&
        run.limits?.[definition.channel] &&
        sendRulesApply() &&
        outcome.outcome.startsWith('skipped')
      )
        await engine
          .activities({ activityId: `${activityId}/cap-release` })
          .releaseSendSlot({ step: activityId });
      timeline.push(outcome);
      log(index, outcome);
    }
    return timeline.slice(from);
  }

  return { runSteps };
}
