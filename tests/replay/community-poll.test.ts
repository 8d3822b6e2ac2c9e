// Running pollers must survive workflow code changes: a history recorded from the poller
// (tests/workflow/community-poll.test.ts with RECORD_HISTORIES, at the commit that added it) is
// replayed against today's code on every `npm test`.
import { describe, expect, it } from 'vitest';
import { replay } from '../support/replay.js';

describe('the feed poller’s history replays on today’s code', () => {
  it('a run that polled three times and ended when its feed was dropped', async () => {
    await expect(replay('community-poll')).resolves.toBeUndefined();
  });
});
