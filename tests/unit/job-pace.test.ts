import { describe, expect, it } from 'vitest';
import { JobPace } from '../../connectors/salesforce/job-pace.js';

describe('JobPace', () => {
  it('reads at once with no history, then waits most of the quickest recent time per record', () => {
    const pace = new JobPace();
    expect(pace.firstWait(5_000)).toBe(0);
    pace.observe(150, 5_000);
    expect(pace.firstWait(5_000)).toBe(120);
    pace.observe(100, 5_000);
    expect(pace.firstWait(5_000)).toBe(80);
    // A backfill's last, small page: a wait in proportion.
    expect(pace.firstWait(50)).toBe(1);
  });

  it('one slow job does not delay the next; five in a row do', () => {
    const pace = new JobPace();
    pace.observe(100, 1_000);
    pace.observe(2_000, 1_000);
    expect(pace.firstWait(1_000)).toBe(80);
    for (let i = 0; i < 4; i++) pace.observe(2_000, 1_000);
    expect(pace.firstWait(1_000)).toBe(1_600);
  });
});
