// The shared request budget (store/rate-budget.ts) as every worker draws from it: whatever the
// mix of bulk and interactive requests and however they arrive, no window holds more than the
// limit, bulk requests line up one slot apart, and an interactive one goes ahead of them.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lane } from '../../connectors/budget.js';
import { jumpSlots, reserveSlot, spacingMs } from '../../store/rate-budget.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(() => t?.close());

/** The most of `times` within any `windowMs`. */
function busiest(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

let accounts = 0;

describe('the request budget', () => {
  it('never lets more than max requests into any window, whatever arrives when', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 5, max: 120 }),
        fc.array(
          fc.record({
            lane: fc.constantFrom<Lane>('bulk', 'interactive'),
            gapMs: fc.integer({ min: 0, max: 400 }),
          }),
          { minLength: 1, maxLength: 300 },
        ),
        async (max, arrivals) => {
          const limit = { max, intervalMs: 10_000 };
          const account = `account-${accounts++}`;
          let now = 1_000_000;
          const sent: number[] = [];
          for (const { lane, gapMs } of arrivals) {
            now += gapMs;
            const slot = await reserveSlot(t.db, account, limit, lane, now);
            expect(slot).toBeGreaterThanOrEqual(now);
            sent.push(slot);
          }
          expect(busiest(sent, limit.intervalMs)).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('lines bulk requests up one slot apart, and lets an interactive one go first', async () => {
    const limit = { max: 100, intervalMs: 10_000 };
    const now = 5_000_000;
    const bulk = await Promise.all(
      Array.from({ length: 20 }, () => reserveSlot(t.db, 'queued', limit, 'bulk', now)),
    );
    const spacing = spacingMs(limit);
    const sorted = [...bulk].sort((a, b) => a - b);
    expect(sorted[0]).toBe(now);
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i]! - sorted[i - 1]!).toBeCloseTo(spacing, 6);

    // Twenty bulk requests are lined up for 2 s; a journey's upsert goes jumpSlots before the next
    // free slot, not behind them all,
    const next = sorted.at(-1)! + spacing;
    const interactive = await reserveSlot(t.db, 'queued', limit, 'interactive', now);
    expect(jumpSlots(limit)).toBeGreaterThan(0);
    expect(interactive).toBeCloseTo(next - jumpSlots(limit) * spacing, 6);
    // and the bulk work behind it moves back by one slot.
    expect(await reserveSlot(t.db, 'queued', limit, 'bulk', now)).toBeCloseTo(next + spacing, 6);
  });

  it('keeps each account to itself', async () => {
    const limit = { max: 10, intervalMs: 1_000 };
    const now = 9_000_000;
    await reserveSlot(t.db, 'one', limit, 'bulk', now);
    await reserveSlot(t.db, 'one', limit, 'bulk', now);
    expect(await reserveSlot(t.db, 'two', limit, 'bulk', now)).toBe(now);
  });
});
