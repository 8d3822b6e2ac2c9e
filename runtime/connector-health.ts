import type { Logger } from 'pino';
import { ConnectorError } from '../connectors/errors.js';
import type { HealthTally } from '../store/connector-health.js';
import { addHealthTallies } from '../store/connector-health.js';
import type { Db } from '../store/db.js';

/** Told about every vendor call a capability port makes: how it ended. */
export interface CallObserver {
  succeeded(connector: string): void;
  failed(connector: string, error: unknown): void;
}

/**
 * Every method of a capability port, observed: a call whose promise settles is reported as a
 * success or a failure of `connector`. Values that are not promises pass through unobserved.
 */
export function observePort<T extends object>(
  port: T,
  connector: string,
  observer: CallObserver,
): T {
  return new Proxy(port, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (answer: unknown) => {
            observer.succeeded(connector);
            return answer;
          },
          (error: unknown) => {
            observer.failed(connector, error);
            throw error;
          },
        );
      };
    },
  });
}

export interface HealthRecorder extends CallObserver {
  /** Adds what is pending to the store now (the timer does this every few seconds). */
  flush(): Promise<void>;
}

/**
 * Keeps tallies in memory and adds them to the store every `everyMs` (one small write per
 * connector per interval, however many calls): the console's connector health. A flush that
 * fails keeps its tallies for the next one; the timer never holds the process open.
 */
export function healthRecorder(db: Db, logger: Logger, everyMs = 2_000): HealthRecorder {
  let pending = new Map<string, HealthTally>();
  const tally = (connector: string) => {
    let entry = pending.get(connector);
    if (!entry) pending.set(connector, (entry = { connector, calls: 0, errors: 0 }));
    entry.calls += 1;
    return entry;
  };
  // Flushes run one after another: a caller's flush resolves once what was pending when it was
  // called is written (or put back for the next one).
  let chain = Promise.resolve();
  const writeOnce = async () => {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    try {
      await addHealthTallies(db, [...batch.values()]);
    } catch (error) {
      logger.warn({ err: error }, 'connector health not saved; kept for the next try');
      for (const entry of batch.values()) merge(pending, entry);
    }
  };
  const flush = (): Promise<void> => (chain = chain.then(writeOnce));
  setInterval(() => void flush(), everyMs).unref();
  return {
    flush,
    succeeded(connector) {
      tally(connector).lastSuccessAt = new Date();
    },
    failed(connector, error) {
      const entry = tally(connector);
      const now = new Date();
      entry.errors += 1;
      entry.lastErrorAt = now;
      entry.lastErrorCode = error instanceof ConnectorError ? error.code : 'unexpected';
      if (error instanceof ConnectorError && error.code === 'rate_limited')
        entry.rateLimitedUntil = new Date(now.getTime() + (error.retryAfterMs ?? 1_000));
    },
  };
}

function merge(into: Map<string, HealthTally>, entry: HealthTally) {
  const current = into.get(entry.connector);
  if (!current) {
    into.set(entry.connector, entry);
    return;
  }
  current.calls += entry.calls;
  current.errors += entry.errors;
  const later = (a?: Date, b?: Date) => (!a ? b : !b ? a : a > b ? a : b);
  current.lastSuccessAt = later(current.lastSuccessAt, entry.lastSuccessAt);
  if (!current.lastErrorAt && entry.lastErrorAt) {
    current.lastErrorAt = entry.lastErrorAt;
    current.lastErrorCode = entry.lastErrorCode;
  }
  current.rateLimitedUntil = later(current.rateLimitedUntil, entry.rateLimitedUntil);
}
