import type { Logger } from 'pino';
import { ConnectorError } from '../connectors/errors.js';
import type { EffectAttempt } from '../connectors/ports.js';
import type { Db } from '../store/db.js';
import {
  claimDelivery,
  completeDelivery,
  getDelivery,
  markCommitting,
  markUnconfirmed,
} from '../store/deliveries.js';

/** One effect that must happen at most once: an email, a DM, a thread reply, a comment. */
export interface OnceEffect<R extends { messageId: string }> {
  /**
   * Whether the vendor can find what an earlier attempt did by its dedup key (Slack message
   * metadata, a Discord nonce, a Discourse external id). Then an attempt whose outcome is unknown
   * is retried with `earlierAttemptSince` so the vendor looks first; otherwise (SMTP) it is never
   * retried, since nobody can tell whether it went out.
   */
  findsEarlier: boolean;
  /**
   * Whether the effect calls `attempt.commit()` right before its point of no return (SMTP: the
   * whole message is with the server, the final dot not yet sent). Then an attempt that vanished
   * before that point is known to have done nothing and is run again, and one that vanished after
   * it is unconfirmed; without the mark, any vanished attempt is unconfirmed.
   */
  marksCommit?: boolean;
  run(attempt: EffectAttempt): Promise<R>;
}

export type SendOutcome<R> =
  /** This attempt made it (or found the earlier attempt's, then `receipt.created` is false). */
  | { status: 'sent'; receipt: R }
  /** A confirmed earlier attempt made it; `messageId` as that attempt recorded it. */
  | { status: 'already'; messageId: string | null }
  /** An earlier attempt may have made it and the vendor cannot tell: not attempted again. */
  | { status: 'unconfirmed' };

/**
 * A ConnectorError that proves the vendor did nothing: it answered, and the answer was a
 * refusal. `unavailable` (a timeout, a dropped connection, a 5xx) proves nothing.
 */
function definitelyRefused(error: unknown): boolean {
  return error instanceof ConnectorError && error.code !== 'unavailable';
}

/**
 * Runs `effect` at most once per `key` (workflow id + step path) through the deliveries ledger,
 * whatever retries, crashes and replays happen around it. The ledger row is claimed before the
 * effect and completed after it; an attempt that dies in between leaves the row unconfirmed.
 */
export async function sendOnce<R extends { messageId: string }>(
  deps: { db: Db; logger: Logger },
  key: string,
  channel: string,
  effect: OnceEffect<R>,
): Promise<SendOutcome<R>> {
  const { db, logger } = deps;
  const marksCommit = effect.marksCommit ?? false;
  const claim = await claimDelivery(db, key, channel, { marksCommit });
  if (claim.kind === 'sent')
    return { status: 'already', messageId: (await getDelivery(db, key))?.detail ?? null };

  let earlierAttemptSince: Date | undefined;
  if (claim.kind === 'unconfirmed') {
    if (!effect.findsEarlier) {
      logger.warn({ key, channel }, 'an earlier attempt may have sent this; not sending again');
      return { status: 'unconfirmed' };
    }
    earlierAttemptSince = (await getDelivery(db, key))?.createdAt ?? new Date(0);
    logger.info({ key, channel }, 'an earlier attempt may have sent this; the vendor looks first');
  }

  const { fence } = claim;
  const attempt: EffectAttempt = { dedupKey: key, earlierAttemptSince };
  if (marksCommit)
    attempt.commit = async () => {
      if (!(await markCommitting(db, key, fence)))
        throw new ConnectorError('conflict', 'a newer attempt took this send over: not sent', {
          vendor: channel,
        });
    };

  let receipt: R;
  try {
    receipt = await effect.run(attempt);
  } catch (error) {
    const code = error instanceof ConnectorError ? error.code : 'error';
    // A refusal of a first attempt frees the key; after an unknown attempt, the doubt remains.
    // With a commit mark, a failure before the mark is a refusal too, after it a doubt.
    if (definitelyRefused(error) && !earlierAttemptSince)
      await completeDelivery(db, key, fence, 'failed', code);
    else if (effect.findsEarlier) await markUnconfirmed(db, key, fence, code);
    else await completeDelivery(db, key, fence, 'failed', code);
    throw error;
  }
  // The effect happened: losing its record (the store restarting just now) would leave it
  // unconfirmed, so the record is tried for a while before the attempt gives up on it.
  await persistently(() => completeDelivery(db, key, fence, 'sent', receipt.messageId), logger);
  return { status: 'sent', receipt };
}

/** Pauses between tries to record a done effect: about 15 s in all, within the activity's 30 s. */
const RECORD_PAUSES_MS = [250, 500, 1_000, 2_000, 4_000, 4_000, 4_000];

async function persistently(record: () => Promise<void>, logger: Logger): Promise<void> {
  for (const pause of RECORD_PAUSES_MS) {
    try {
      return await record();
    } catch (error) {
      logger.warn({ err: error, retryInMs: pause }, 'recording a done effect failed; trying again');
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
  return record();
}

/**
 * A post's step outcome: `sent`, or `already sent` when an earlier attempt had made it (the
 * ledger says so, or the platform found it by its dedup key).
 */
export function postedOutcome(outcome: SendOutcome<{ messageId: string; created?: boolean }>) {
  return outcome.status === 'sent' && outcome.receipt.created !== false ? 'sent' : 'already sent';
}
