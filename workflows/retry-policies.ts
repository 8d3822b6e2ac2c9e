import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Retry presets, in one place. Vendor calls retry until they succeed or fail for good: a
 * ConnectorError that is not retryable arrives as a non-retryable ApplicationFailure, and a
 * rate limit arrives with the vendor's own wait as nextRetryDelay.
 */
export const VENDOR_CALL: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '5m',
  },
};

/** Reads and writes of townhall's own store: a failure means the store is down, so retry soon. */
export const STORE_CALL: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
};

/**
 * A batch or bulk job to a CRM: minutes for a bulk job, alive as long as it heartbeats; a
 * rate limit waits the vendor's advertised time, like any vendor call.
 */
export const CRM_BATCH: ActivityOptions = {
  startToCloseTimeout: '30m',
  // A dead worker's batch is retried elsewhere within 20 s: pushes heartbeat every 5 s.
  heartbeatTimeout: '20s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m' },
};

/**
 * One poll of a feed: reading a page or two and routing what is new. Retried without end (a
 * vendor outage or rate limit passes; the vendor's wait is the next delay), heartbeating every
 * second so a dead worker's poll moves to another within 5 s.
 */
export const FEED_POLL: ActivityOptions = {
  startToCloseTimeout: '5m',
  heartbeatTimeout: '5s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '2m' },
};

/**
 * An erasure's vendor call: retried until the system answers, however long it is down (the
 * member asked to be deleted; giving up is not an option), at most a minute apart so a desk that
 * comes back is erased soon after. A refusal for good (auth, configuration) stops the retries
 * and waits for an operator.
 */
export const ERASURE_CALL: ActivityOptions = {
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
};
