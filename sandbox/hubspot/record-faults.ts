import express from 'express';
import { z } from 'zod';
import { batchError } from './errors.js';

/**
 * Per-record misbehaviour for batch upserts (`POST /_sandbox/hubspot/record-faults`): the named
 * inputs fail inside an otherwise good batch, with the StandardError HubSpot puts in a 207 for a
 * record it could not write for now (another write to the same record at that moment, an
 * internal error on one record), and nothing is written for them. Whole-request faults (429s,
 * 5xx, drops) are `/_sandbox/faults`.
 */
const recordFaultSchema = z.strictObject({
  /** The inputs' `id` values (an email, a member id ...). */
  ids: z.array(z.string().min(1)).min(1),
  category: z.string().min(1).default('CONFLICT'),
  code: z.string().min(1).optional(),
  message: z.string().min(1).default('The record was modified by another request; try again'),
  /** How many upserts of each id fail before it is written normally. */
  times: z.number().int().min(1).default(1),
});
type RecordFault = z.output<typeof recordFaultSchema>;

export function createRecordFaults() {
  const pending = new Map<string, RecordFault & { left: number }>();
  const keyOf = (id: string) => id.trim().toLowerCase();

  const router = express.Router();
  router.post('/_sandbox/hubspot/record-faults', express.json(), (req, res) => {
    const parsed = recordFaultSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: parsed.error.issues.map((issue) => issue.message).join('; ') });
      return;
    }
    for (const id of parsed.data.ids)
      pending.set(keyOf(id), { ...parsed.data, left: parsed.data.times });
    res.json({ pending: pending.size });
  });

  return {
    router,
    /** The 207 error for this input if a fault is queued for it (and one use of it taken). */
    take(id: string) {
      const fault = pending.get(keyOf(id));
      if (!fault) return undefined;
      if (--fault.left === 0) pending.delete(keyOf(id));
      return {
        ...batchError(fault.category, fault.message, [id]),
        errors: fault.code ? [{ message: fault.message, code: fault.code }] : [],
      };
    },
    reset: () => pending.clear(),
  };
}
export type RecordFaults = ReturnType<typeof createRecordFaults>;
