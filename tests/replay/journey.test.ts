// Running journeys must survive workflow code changes: histories recorded from the journey
// workflow (tests/workflow/journey.test.ts with RECORD_HISTORIES, at the commit that added them)
// are replayed against today's code on every `npm test`. One per shape: every step run, an exit
// that ended a wait early (its cancelled timer), a wait_until that took its then path, a send
// held by a window and a cap, and a run that marks TownhallStep only at its wait.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replay } from '../support/replay.js';

describe('journey histories replay on today’s code', () => {
  it('a run that went through every step', async () => {
    await expect(replay('journey-whole')).resolves.toBeUndefined();
  });

  it('a run that an exit ended in the middle of a wait', async () => {
    await expect(replay('journey-exit-in-wait')).resolves.toBeUndefined();
  });

  it('a run that took a wait_until’s then path on a member event', async () => {
    await expect(replay('journey-wait-until')).resolves.toBeUndefined();
  });

  it('a run held by a send window and a cap, with a notice and search attributes', async () => {
    await expect(replay('journey-send-rules')).resolves.toBeUndefined();
  });

  it('a run that branched two ifs on member facts', async () => {
    await expect(replay('journey-if')).resolves.toBeUndefined();
  });

  it('a run that marked TownhallStep only at its wait, not at its sends', async () => {
    await expect(replay('journey-step-attribute-at-waits')).resolves.toBeUndefined();
  });

  it('catches a change to the order of steps made without a patch', async () => {
    const reordered = fileURLToPath(new URL('../support/reordered-journey.ts', import.meta.url));
    await expect(replay('journey-whole', reordered)).rejects.toThrow(/nondetermin/i);
  });
});
