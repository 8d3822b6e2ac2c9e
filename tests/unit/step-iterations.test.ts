import { describe, expect, it } from 'vitest';
import { stepIterations } from '../../workflows/steps/run.js';

describe('step iterations', () => {
  it('counts each step path on its own, so a repeated step gets a new key', () => {
    const next = stepIterations();
    expect([next('steps[2]'), next('steps[2]'), next('steps[0]'), next('steps[2]')]).toEqual([
      1, 2, 1, 3,
    ]);
    // A new run starts counting again.
    expect(stepIterations()('steps[2]')).toBe(1);
  });
});
