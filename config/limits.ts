import { z } from 'zod';
import type { SendLimits } from '../workflows/steps/send-gate.js';
import { parseDuration } from './duration.js';

const CAP_HINT = "write a cap as '<count> per <duration>', e.g. '3 per 7d'";

/** `3 per 7d`: at most 3 messages to one member in any 7 days. */
const cap = z.string({ error: CAP_HINT }).transform((text, ctx) => {
  const match = /^(\d+)\s+per\s+(\S+)$/.exec(text.trim());
  const periodMs = match ? parseDuration(match[2]!) : undefined;
  if (!match || periodMs === undefined || Number(match[1]) < 1) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a cap: ${CAP_HINT}` });
    return z.NEVER;
  }
  return { limit: Number(match[1]), periodMs, text: text.trim() };
});

/**
 * `limits:`: frequency caps per channel across all journeys. Transactional mail (the unsubscribe
 * confirmation) never counts and is never held back.
 */
export const limitsSchema = z
  .strictObject({
    email: cap.optional().describe("Emails to one member across all journeys, e.g. '3 per 7d'"),
    dm: cap
      .optional()
      .describe("Direct messages to one member across all journeys, e.g. '5 per 1d'"),
    on_cap: z
      .enum(['defer', 'skip'], { error: () => 'write on_cap as defer or skip' })
      .default('defer')
      .describe('defer: send when the member is under the cap again; skip: drop that message'),
  })
  .transform(({ on_cap, ...caps }): SendLimits => ({
    onCap: on_cap,
    ...(caps.email ? { email: caps.email } : {}),
    ...(caps.dm ? { dm: caps.dm } : {}),
  }))
  .prefault({})
  .describe('Frequency caps per channel across all journeys, and what a capped message does');

/** The caps a run of `journey` keeps: the global ones, with the journey's own on_cap. */
export function limitsFor(
  limits: SendLimits | undefined,
  journey: { onCap?: 'defer' | 'skip' | undefined },
): SendLimits | undefined {
  if (!limits || (!limits.email && !limits.dm)) return undefined;
  return journey.onCap ? { ...limits, onCap: journey.onCap } : limits;
}
