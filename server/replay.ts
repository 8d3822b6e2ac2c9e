import { businessEvent } from '../connectors/business-events.js';
import { communityEvent } from '../connectors/events.js';
import type { Db } from '../store/db.js';
import { deadLetter, markReplayed, noteReplayFailure } from '../store/dead-letters.js';
import type { BusinessEventRouter } from './business-router.js';
import type { Failure } from './event-failures.js';
import { classifyFailure } from './event-failures.js';
import type { EventRouter } from './router.js';

export interface ReplayDeps {
  db: Db;
  /** The same routers the webhooks use, unguarded: a replay reports its failure, never re-queues. */
  community: EventRouter;
  business: BusinessEventRouter;
}

export type ReplayResult =
  /** Routed: `outcome` is what the router did (started, duplicate, recorded ...). */
  | { status: 'replayed'; id: number; eventId: string; outcome: string }
  /** Replayed before: nothing done again. */
  | { status: 'already-replayed'; id: number; eventId: string; outcome: string; at: string }
  /** Failed again; the dead letter stays, with this reason (unchanged for an outage). */
  | { status: 'failed'; id: number; eventId: string; failure: Failure }
  /** No such dead letter, or its event was erased. */
  | { status: 'refused'; id: number; why: string };

/** True when the replay left nothing to do: the CLI's exit code 0. */
export const replaySucceeded = (result: ReplayResult) =>
  result.status === 'replayed' || result.status === 'already-replayed';

/**
 * Runs a dead letter's stored event through the router again, as its webhook did: checked
 * against its family's schema first (an operator may have corrected the stored JSON), then
 * routed. Success marks the row replayed (it stays, as the record); a failure keeps it with the
 * latest reason. Safe to repeat: routing is idempotent by event id.
 */
export async function replayDeadLetter(deps: ReplayDeps, id: number): Promise<ReplayResult> {
  const row = await deadLetter(deps.db, id);
  if (!row) return { status: 'refused', id, why: `no dead letter ${id}` };
  if (row.status === 'replayed')
    return {
      status: 'already-replayed',
      id,
      eventId: row.event_id,
      outcome: row.replay_outcome ?? 'unknown',
      at: new Date(row.replayed_at ?? row.last_seen).toISOString(),
    };
  if (row.event === null)
    return { status: 'refused', id, why: `dead letter ${id}'s event was erased` };
  try {
    const stored: unknown = JSON.parse(row.event);
    const outcome =
      row.family === 'community'
        ? await deps.community(communityEvent.parse(stored))
        : await deps.business(businessEvent.parse(stored));
    await markReplayed(deps.db, id, outcome);
    return { status: 'replayed', id, eventId: row.event_id, outcome };
  } catch (error) {
    const failure = classifyFailure(error);
    if (failure.kind !== 'outage')
      await noteReplayFailure(deps.db, id, {
        kind: failure.kind,
        code: failure.code,
        reason: failure.reason,
      });
    return { status: 'failed', id, eventId: row.event_id, failure };
  }
}
