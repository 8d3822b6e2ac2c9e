import type { Logger } from 'pino';
import type { Db } from '../store/db.js';
import type { EventFamily, FailedEvent } from '../store/dead-letters.js';
import { noteFailedEvent } from '../store/dead-letters.js';
import { classifyFailure } from './event-failures.js';

/**
 * How many times an event may fail for an unknown reason before it is quarantined. Enough for a
 * short outage the classifier does not recognise to pass (and for senders that retry only a few
 * times, the row keeps the event anyway); few enough that a sender that retries for a day stops.
 */
export const UNKNOWN_FAILURES_BEFORE_QUARANTINE = 5;

/** What the router gives back for an event it set aside: the sender is told it was received. */
export class Quarantined {
  readonly outcome = 'quarantined';
  constructor(
    readonly deadLetterId: number,
    /** The event's id, for the logs and for batches. */
    readonly eventId: string,
  ) {}
}

export interface QuarantineDeps {
  db: Db;
  logger: Logger;
  /** Default UNKNOWN_FAILURES_BEFORE_QUARANTINE. */
  unknownFailuresBeforeQuarantine?: number;
}

/** Whose event it is, for erasure: a community member, or a business event's author or contact. */
function ownerOf(event: object): Pick<FailedEvent, 'communityId' | 'userId'> {
  const fields = event as {
    member?: { communityId?: string; userId?: string };
    author?: { id?: string };
    contactId?: string;
  };
  if (fields.member)
    return { communityId: fields.member.communityId, userId: fields.member.userId };
  return { userId: fields.author?.id ?? fields.contactId };
}

export type Quarantine = ReturnType<typeof createQuarantine>;

/**
 * Tells an outage from an event that can never be processed (server/event-failures.ts). `guard`
 * wraps one connector's router: an outage still throws (the route answers 503 and the sender
 * retries); a poison event is recorded in the dead letters and resolves to `Quarantined`, so it
 * is acknowledged and the sender stops; an unknown failure is counted in the dead letters and
 * throws until it has happened often enough, then is quarantined too. When the dead letter
 * cannot be written (the store is down) the original failure is thrown: 503, nothing lost.
 */
export function createQuarantine(deps: QuarantineDeps) {
  const limit = deps.unknownFailuresBeforeQuarantine ?? UNKNOWN_FAILURES_BEFORE_QUARANTINE;

  function guard<E extends { eventId: string; type: string }, R>(
    family: EventFamily,
    source: string,
    route: (event: E, respond?: (answer: string) => void) => Promise<R>,
  ) {
    return async (
      event: E,
      respond?: (answer: string) => void,
    ): Promise<Exclude<R, Quarantined> | Quarantined> => {
      try {
        return (await route(event, respond)) as Exclude<R, Quarantined>;
      } catch (error) {
        const failure = classifyFailure(error);
        if (failure.kind === 'outage') throw error;
        let letter;
        try {
          letter = await noteFailedEvent(
            deps.db,
            { source, family, eventId: event.eventId, type: event.type, event, ...ownerOf(event) },
            { kind: failure.kind, code: failure.code, reason: failure.reason },
            limit,
          );
        } catch (storeError) {
          deps.logger.error(
            { err: storeError, eventId: event.eventId, code: failure.code },
            'event failed and its dead letter could not be written',
          );
          throw error;
        }
        const log = {
          eventId: event.eventId,
          source,
          deadLetterId: letter.id,
          code: failure.code,
          reason: failure.reason,
          attempts: letter.attempts,
        };
        if (letter.status === 'failing') {
          deps.logger.warn(log, 'event failed for an unknown reason; counted, the sender retries');
          throw error;
        }
        deps.logger.warn(log, 'event quarantined in the dead letters');
        return new Quarantined(letter.id, event.eventId);
      }
    };
  }

  return { guard };
}
