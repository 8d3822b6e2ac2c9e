// Running backfills must survive workflow code changes: a history recorded from the CRM backfill
// (tests/workflow/crm-backfill.test.ts with RECORD_HISTORIES, before its sliding window) is
// replayed against today's code on every `npm test`: 30 members in rounds of 4 pushes of 2.
import { describe, expect, it } from 'vitest';
import { replay } from '../support/replay.js';

describe('CRM backfill histories replay on today’s code', () => {
  it('a run that pushed in rounds, from before the sliding window', async () => {
    await expect(replay('crm-backfill-rounds')).resolves.toBeUndefined();
  });
});
