// Running erasures must survive workflow code changes: a history recorded from the erasure
// workflow (tests/workflow/member-erasure.test.ts with RECORD_HISTORIES, at the commit that added
// it) is replayed against today's code on every `npm test`.
import { describe, expect, it } from 'vitest';
import { replay } from '../support/replay.js';

describe('the erasure’s history replays on today’s code', () => {
  it('a run that erased from two systems, then the store', async () => {
    await expect(replay('member-erasure')).resolves.toBeUndefined();
  });
});
