import { describe, expect, it } from 'vitest';
import { renderProgress } from '../../bin/sync.js';
import type { BackfillProgress } from '../../workflows/crm-backfill/types.js';

const base: BackfillProgress = {
  crm: 'a-crm',
  total: 1_000,
  done: 400,
  failed: 0,
  perSecond: 10,
  etaMs: 60_000,
  startedAt: Date.parse('2026-01-01T00:00:00Z'),
  bulk: false,
  finished: false,
};

describe('the backfill progress line', () => {
  it('shows the count, the share and the time left while it runs', () => {
    const line = renderProgress(base, 10);
    expect(line).toContain('[####......] 400/1,000 40%');
    expect(line).toContain('ETA 1m00s');
    expect(line).not.toContain('refused');
  });

  it('says how long an ended backfill took, however long ago it ended', () => {
    const ended = {
      ...base,
      done: 997,
      failed: 3,
      finished: true,
      finishedAt: base.startedAt + 100_000,
    };
    const line = renderProgress(ended, 10);
    expect(line).toContain('1,000/1,000 100%');
    expect(line).toContain('done in 1m40s');
    expect(line).toContain('3 refused (townhall sync status)');
  });
});
