import { patched, proxyActivities } from '@temporalio/workflow';
import { VENDOR_CALL } from '../retry-policies.js';
import type { Activities, Routing, StepContext } from './context.js';
import type { Step } from './index.js';
import { STEPS } from './index.js';

export interface StepOutcome {
  type: Step['type'];
  outcome: string;
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

export interface StepRun {
  memberId: string;
  platform?: string | undefined;
  routing?: Routing | undefined;
  /** Why the run must stop (an exit signal), or undefined; runs without exits leave it out. */
  exitReason?: (() => string | undefined) | undefined;
  /** How `wait_until` hears the member's events; runs that hear none leave it out. */
  waitForEvent?: ((kind: string, ms: number) => Promise<boolean>) | undefined;
  /** Told as each step starts (its path and type): where a run is, for a query. */
  onStep?: ((path: string, type: string) => void) | undefined;
}

/**
 * The steps of one workflow run. Create it once per run: it counts how often each step path has
 * run, so a list that runs again (a loop, a repeated drip) gets new activity ids (`steps[0]#2`),
 * and with them new idempotency keys. Only the member id travels through history; activities
 * read the member's address and name from the store when they need them.
 */
export function createStepRunner(run: StepRun) {
  const pathIds = patched(STEP_PATH_IDS);
  const iteration = stepIterations();
  const routing = run.routing ?? {};
  /** Every step's outcome in the order steps finish: a wait_until's branch before itself. */
  const timeline: StepOutcome[] = [];

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
      const activityId = pathIds ? `${stepPath}#${iteration(stepPath)}` : `step-${index}`;
      const context: StepContext = {
        memberId: run.memberId,
        platform: run.platform,
        routing,
        exitReason: run.exitReason,
        waitForEvent: run.waitForEvent,
        path: stepPath,
        runSteps: (nested, nestedPath) => runSteps(nested, nestedPath, log),
        activities: (vendor) => {
          const taskQueue = vendor ? routing.queues?.[vendor] : undefined;
          return proxyActivities<Activities>({
            ...VENDOR_CALL,
            activityId,
            ...(taskQueue ? { taskQueue } : {}),
          });
        },
      };
      const definition = STEPS.find((candidate) => candidate.type === step.type)!;
      const runStep = definition.run as (s: Step, c: StepContext) => Promise<string>;
      const outcome = { type: step.type, outcome: await runStep(step, context) };
      timeline.push(outcome);
      log(index, outcome);
    }
    return timeline.slice(from);
  }

  return { runSteps };
}
