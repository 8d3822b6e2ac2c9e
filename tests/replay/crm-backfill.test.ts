// Running backfills must survive workflow code changes: histories recorded from the CRM backfill
// (tests/workflow/*.test.ts with RECORD_HISTORIES) are replayed against today's code on every
// `npm test`: 30 members in rounds of 4 pushes of 2, before the sliding window; bulk jobs one at
// a time, before BULK_PAIR.
import { describe, expect, it } from 'vitest';
import { replay } from '../support/replay.js';

describe('CRM backfill and sync histories replay on today’s code', () => {
  it('a run that pushed in rounds, from before the sliding window', async () => {
    await expect(replay('crm-backfill-rounds')).resolves.toBeUndefined();
  });

  it('a bulk run that wrote its jobs one at a time, from before BULK_PAIR', async () => {
    // tests/workflow/crm-sync.test.ts's bulk backfill: 12,001 members in jobs of 5,000.
    await expect(replay('crm-backfill-bulk-one-job')).resolves.toBeUndefined();
  });

  it('a CRM sync run of an activity a step, from before ONE_ACTIVITY_A_PAGE', async () => {
    // tests/workflow/crm-sync.test.ts's sync: 23 members in pages of 10, one refused.
    await expect(replay('crm-sync-activity-per-step')).resolves.toBeUndefined();
  });
});
