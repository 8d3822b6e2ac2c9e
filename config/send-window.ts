import { z } from 'zod';
import type { SendWindow } from '../workflows/steps/send-window.js';
import { WEEKDAYS, isTimeZone } from '../workflows/steps/send-window.js';

/** `HH:MM` or `HH:MM:SS`, 00:00 to 24:00, as seconds since midnight. */
function clock(text: string): number | undefined {
  const match = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!match) return undefined;
  const [hours, minutes, seconds] = [match[1], match[2], match[3] ?? '0'].map(Number) as [
    number,
    number,
    number,
  ];
  if (minutes > 59 || seconds > 59) return undefined;
  const total = hours * 3600 + minutes * 60 + seconds;
  return total <= 86_400 ? total : undefined;
}

const HOURS_HINT = "write hours as 'HH:MM-HH:MM' within one day, e.g. '09:00-17:30'";

/**
 * A journey's `send_window`: the days and hours messages may go out, in the member's time zone
 * (from their platform profile where it has one, else `timezone`). A message due outside it waits
 * for the next opening.
 */
export const sendWindowSchema = z
  .strictObject({
    days: z
      .array(z.enum(WEEKDAYS, { error: () => `not a weekday (use ${WEEKDAYS.join(', ')})` }))
      .min(1)
      .default([...WEEKDAYS])
      .describe('Weekdays messages may go out on (mon … sun); every day when absent'),
    hours: z
      .string({ error: HOURS_HINT })
      .describe("Opening and closing, member's local time: '09:00-17:00' (HH:MM or HH:MM:SS)"),
    timezone: z
      .string()
      .refine(isTimeZone, {
        error: (issue) =>
          `"${String(issue.input)}" is not an IANA time zone (write e.g. Europe/Paris, America/New_York, UTC)`,
      })
      .default('UTC')
      .describe('For members whose platform profile has no time zone (IANA name); default UTC'),
  })
  .transform((raw, ctx): SendWindow => {
    const [from, to] = raw.hours.split('-').map((part) => clock(part.trim()));
    if (from === undefined || to === undefined || raw.hours.split('-').length !== 2 || from >= to) {
      ctx.addIssue({
        code: 'custom',
        path: ['hours'],
        message: `"${raw.hours}" is not a window: ${HOURS_HINT}, opening before closing`,
      });
      return z.NEVER;
    }
    return {
      days: raw.days.map((day) => WEEKDAYS.indexOf(day)).sort(),
      from,
      to,
      timezone: raw.timezone,
    };
  });
