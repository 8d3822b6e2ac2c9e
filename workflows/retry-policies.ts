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
