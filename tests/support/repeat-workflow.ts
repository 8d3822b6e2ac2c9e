// A workflow bundle for tests only: one step list run several times in one run (as a loop or a
// repeated drip will), then another list at another path, through the same step runner.
import type { Step } from '../../workflows/steps/index.js';
import type { StepOutcome } from '../../workflows/steps/run.js';
import { createStepRunner } from '../../workflows/steps/run.js';

export async function repeatSteps(input: {
  memberId: string;
  steps: Step[];
  times: number;
  then: Step[];
}): Promise<StepOutcome[]> {
  const runner = createStepRunner(input);
  const outcomes: StepOutcome[] = [];
  for (let round = 0; round < input.times; round++)
    outcomes.push(...(await runner.runSteps(input.steps)));
  outcomes.push(...(await runner.runSteps(input.then, 'exit.steps')));
  return outcomes;
}
