import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SendWindow } from '../../workflows/steps/send-window.js';
import { windowDelayMs } from '../../workflows/steps/send-window.js';

const H = 3_600_000;
const weekdays = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 0 } as const;

/** The zone's wall clock at an instant, read with Intl directly. */
function wall(ms: number, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(ms)
      .map((part) => [part.type, part.value]),
  );
  return {
    weekday: weekdays[parts.weekday!.toLowerCase() as keyof typeof weekdays],
    second: Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second),
  };
}

const open = (ms: number, window: SendWindow, zone: string) => {
  const at = wall(ms, zone);
  return window.days.includes(at.weekday) && at.second >= window.from && at.second < window.to;
};

const nineToFive: SendWindow = {
  days: [1, 2, 3, 4, 5],
  from: 9 * 3600,
  to: 17 * 3600,
  timezone: 'UTC',
};

describe('send windows', () => {
  it('defers a message due at 3 a.m. to 9 a.m. in the member zone', () => {
    // 2026-12-02 03:00 in Tokyo (a Wednesday) is 2026-12-01 18:00 UTC.
    expect(windowDelayMs(Date.parse('2026-12-01T18:00:00Z'), nineToFive, 'Asia/Tokyo')).toBe(6 * H);
    // The same instant is 18:00 on Tuesday in UTC: after closing, so Wednesday 09:00 UTC.
    expect(windowDelayMs(Date.parse('2026-12-01T18:00:00Z'), nineToFive, 'UTC')).toBe(15 * H);
  });

  it('lets a message inside the window go at once, and skips days the window leaves out', () => {
    expect(windowDelayMs(Date.parse('2026-12-01T10:00:00Z'), nineToFive, 'UTC')).toBe(0);
    // Friday 18:00 UTC: next opening is Monday 09:00.
    expect(windowDelayMs(Date.parse('2026-12-04T18:00:00Z'), nineToFive, 'UTC')).toBe(63 * H);
  });

  it('opens at local 09:00 on the day clocks change', () => {
    // Paris moves to summer time at 01:00 UTC on 2026-03-29: 09:00 local is 07:00 UTC.
    const every = { ...nineToFive, days: [0, 1, 2, 3, 4, 5, 6] };
    const now = Date.parse('2026-03-29T00:30:00Z');
    expect(now + windowDelayMs(now, every, 'Europe/Paris')).toBe(
      Date.parse('2026-03-29T07:00:00Z'),
    );
  });

  it('opens at the end of the skipped hour when the opening falls in it', () => {
    // New York skips 02:00-03:00 on 2024-03-10: a 02:30 opening happens at 03:00 EDT (07:00 UTC).
    const window: SendWindow = { days: [0], from: 2.5 * 3600, to: 8 * 3600, timezone: 'UTC' };
    const now = Date.parse('2024-03-10T05:00:00Z');
    expect(now + windowDelayMs(now, window, 'America/New_York')).toBe(
      Date.parse('2024-03-10T07:00:00Z'),
    );
    // And in the repeated hour of autumn, the first 01:30 of the two.
    const autumn: SendWindow = { days: [0], from: 1.5 * 3600, to: 8 * 3600, timezone: 'UTC' };
    const night = Date.parse('2024-11-03T04:00:00Z');
    expect(night + windowDelayMs(night, autumn, 'America/New_York')).toBe(
      Date.parse('2024-11-03T05:30:00Z'),
    );
  });

  it('skips a day whose window lies wholly in the hour the clocks skip', () => {
    // Sundays 02:00-02:01 in New York; on 2025-03-09 the clocks go from 02:00 to 03:00.
    const window: SendWindow = { days: [0], from: 2 * 3600, to: 2 * 3600 + 60, timezone: 'UTC' };
    const saturdayEvening = Date.parse('2025-03-09T00:00:00Z');
    expect(saturdayEvening + windowDelayMs(saturdayEvening, window, 'America/New_York')).toBe(
      Date.parse('2025-03-16T06:00:00Z'),
    );
  });

  it('always lands on the window opening, or now when open (any zone, instant and window)', () => {
    const zones = [
      'UTC',
      'Asia/Tokyo',
      'Europe/Paris',
      'America/New_York',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
    ];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: Date.parse('2025-01-01'), max: Date.parse('2028-01-01') }),
          // Within two days of a clock change, where openings fall in skipped or repeated hours.
          fc
            .tuple(
              fc.constantFrom(
                '2025-03-09',
                '2025-03-30',
                '2025-04-06',
                '2025-10-05',
                '2025-10-26',
                '2025-11-02',
              ),
              fc.integer({ min: -2 * 24 * 3600, max: 2 * 24 * 3600 }),
            )
            .map(([day, seconds]) => Date.parse(day) + seconds * 1000),
        ),
        fc.constantFrom(...zones),
        fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: 0, max: 23 * 60 }),
        fc.integer({ min: 1, max: 8 * 60 }),
        (now, zone, days, fromMinute, length) => {
          const window: SendWindow = {
            days,
            from: fromMinute * 60,
            to: Math.min(86_400, (fromMinute + length) * 60),
            timezone: 'UTC',
          };
          const delay = windowDelayMs(now, window, zone);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(8 * 24 * H);
          expect(delay === 0).toBe(open(now, window, zone));
          // Open at the moment it names, and closed a second before (it is the opening).
          if (delay > 0) {
            expect(open(now + delay, window, zone)).toBe(true);
            if (delay > 1000) expect(open(now + delay - 1000, window, zone)).toBe(false);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
