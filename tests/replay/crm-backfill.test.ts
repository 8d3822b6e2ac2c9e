// Running backfills must survive workflow code changes: histories recorded from the CRM backfill
// (tests/workflow/*.test.ts with RECORD_HISTORIES) are replayed against today's code on every
// `npm test`: 30 members in rounds of 4 pushes of 2, before the sliding window; bulk jobs one at
// a time, before BULK_PAIR; pages of ids read in activities of their own, before RANGES; bulk
// ranges two pushes at a time, before BULK_PREFETCH.
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

  it('a run that read its pages of ids itself, from before RANGES', async () => {
    // tests/workflow/crm-backfill.test.ts: 30 members in pages of 2, eight pushes in flight.
    await expect(replay('crm-backfill-member-pages')).resolves.toBeUndefined();
  });

  it('a bulk run two jobs at a time that read its pages of ids itself, from before RANGES', async () => {
    // tests/workflow/crm-sync.test.ts's bulk backfill on the code of BULK_PAIR.
    await expect(replay('crm-backfill-bulk-pair-member-pages')).resolves.toBeUndefined();
  });

  it('a bulk run of ranges two pushes at a time, from before BULK_PREFETCH', async () => {
    // tests/workflow/crm-sync.test.ts's bulk backfill with 20,001 members (five jobs), recorded
    // on 0241501. It replays without the patch as well (the same activities in the same order,
    // sooner); the patch is for a run that continued as new when Temporal suggested it.
    await expect(replay('crm-backfill-bulk-ranges')).resolves.toBeUndefined();
  });

  it('a CRM sync run of an activity a step, from before ONE_ACTIVITY_A_PAGE', async () => {
    // tests/workflow/crm-sync.test.ts's sync: 23 members in pages of 10, one refused.
    await expect(replay('crm-sync-activity-per-step')).resolves.toBeUndefined();
  });
});
