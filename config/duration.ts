import { z } from 'zod';

const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

export const DURATION_HINT = 'use 30s, 4h, 2d';

/** Parses `30s`, `15m`, `4h`, `2d`, `1w`, `500ms` into milliseconds; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match as unknown as [string, string, keyof typeof UNIT_MS];
  const ms = Number(amount) * UNIT_MS[unit];
  return ms > 0 ? Math.round(ms) : undefined;
}

/** A duration field: text such as `2d` in the file, milliseconds once parsed. */
export const duration = z
  .string({ error: `expected a duration (${DURATION_HINT})` })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (${DURATION_HINT})` });
      return z.NEVER;
    }
    return ms;
  });
