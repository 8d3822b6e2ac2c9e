// Workflow code changes must not break runs already going: histories recorded from earlier
// releases are replayed against today's workflow code on every `npm test`.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replay } from '../support/replay.js';

describe('onboarding histories replay on today’s code', () => {
  it('a run started before step-path activity ids (release 6f7499b), through the patch', async () => {
    await expect(replay('onboarding-before-step-paths')).resolves.toBeUndefined();
  });

  it('a run started with step-path activity ids', async () => {
    await expect(replay('onboarding-with-step-paths')).resolves.toBeUndefined();
  });

  it('a run whose email waited for a confirmed address', async () => {
    await expect(replay('onboarding-confirmed-address')).resolves.toBeUndefined();
  });

  it('catches the same change made without the patch', async () => {
    const unpatched = fileURLToPath(new URL('../support/unpatched-onboarding.ts', import.meta.url));
    await expect(replay('onboarding-before-step-paths', unpatched)).rejects.toThrow(/nondetermin/i);
  });
});
