import { sql } from 'kysely';
import type { Db } from './db.js';

export type SlotAnswer =
  /** The message may go out; its slot counts against the cap from now on. */
  | { taken: true }
  /** The member is at the cap: ask again after `retryInMs`, when the oldest slot ages out. */
  | { taken: false; retryInMs: number };

/**
 * What the cap says, from the member's places taken within the period, newest first (at most
 * `limit` of them): a place while fewer are taken, else a wait until the limit-th newest ages
 * out. The store and `townhall simulate` both decide with it.
 */
export function capAnswer(
  recent: readonly number[],
  limit: number,
  periodMs: number,
  now: number,
): SlotAnswer {
  if (recent.length < limit) return { taken: true };
  return { taken: false, retryInMs: Math.max(1000, recent[limit - 1]! + periodMs - now) };
}

/**
 * Takes a place under a member's cap for one message (`limits:` across journeys), or says when
 * one frees up. Serialised per member and channel, so two journeys messaging the same member at
 * once cannot both take the last slot; the step's own key makes a retry find its slot.
 */
export async function takeSendSlot(
  db: Db,
  input: {
    stepKey: string;
    memberId: string;
    channel: string;
    limit: number;
    periodMs: number;
    now?: Date;
  },
): Promise<SlotAnswer> {
  const now = input.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`send-slot:${input.memberId}:${input.channel}`}))`.execute(
      trx,
    );
    const mine = await trx
      .selectFrom('send_slots')
      .select('step_key')
      .where('step_key', '=', input.stepKey)
      .executeTakeFirst();
    if (mine) return { taken: true };
    const recent = await trx
      .selectFrom('send_slots')
      .select('taken_at')
      .where('member_id', '=', input.memberId)
      .where('channel', '=', input.channel)
      .where('taken_at', '>', new Date(now.getTime() - input.periodMs))
      .orderBy('taken_at', 'desc')
      .limit(input.limit)
      .execute();
    const answer = capAnswer(
      recent.map((slot) => slot.taken_at.getTime()),
      input.limit,
      input.periodMs,
      now.getTime(),
    );
    if (!answer.taken) return answer;
    await trx
      .insertInto('send_slots')
      .values({
        step_key: input.stepKey,
        member_id: input.memberId,
        channel: input.channel,
        taken_at: now,
      })
      .execute();
    return { taken: true };
  });
}

/** Gives back the place a message took when it was not sent after all. */
export async function releaseSendSlot(db: Db, stepKey: string): Promise<void> {
  await db.deleteFrom('send_slots').where('step_key', '=', stepKey).execute();
}
