import { ApplicationFailure } from '@temporalio/common';
import type { CapabilityName } from '../connectors/ports.js';
import { CAPABILITY_LABELS } from '../connectors/ports.js';

/**
 * The capability a step needs is not configured: no retry can help, and `townhall validate`
 * would have said so; this is the worker's own guard when it runs with another config.
 */
export function requireCapability<T>(port: T | undefined, capability: CapabilityName): T {
  if (port === undefined)
    throw ApplicationFailure.nonRetryable(
      `no connector provides ${CAPABILITY_LABELS[capability]} (capability ${capability}); configure one under connectors:`,
      'NotConfigured',
    );
  return port;
}
