// A workflow bundle for tests only: the journey as it would be had someone moved a run's first
// step to its end, without a patch. Replaying a recorded history must fail.
import { createStepRunner } from '../../workflows/steps/run.js';
import type { JourneyInput } from '../../workflows/journey/types.js';

export async function journey(input: JourneyInput) {
  const [first, ...rest] = input.steps;
  const steps = await createStepRunner(input).runSteps([...rest, ...(first ? [first] : [])]);
  return { steps };
}
