import { ApplicationFailure } from '@temporalio/common';
import { ConnectorError } from '../connectors/errors.js';

/**
 * Runs a vendor call and turns a ConnectorError into the ApplicationFailure Temporal acts on:
 * permanent codes stop retrying, rate limits retry after the vendor's advertised wait.
 */
export async function asActivityFailure<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toActivityFailure(error);
  }
}

/** The failure to throw for `error`; anything but a ConnectorError passes through unchanged. */
export function toActivityFailure(error: unknown): unknown {
  if (!(error instanceof ConnectorError)) return error;
  return ApplicationFailure.create({
    type: `ConnectorError.${error.code}`,
    message: error.message,
    nonRetryable: !error.retryable,
    details: [{ vendor: error.vendor, code: error.code, status: error.status ?? null }],
    ...(error.retryAfterMs !== undefined ? { nextRetryDelay: error.retryAfterMs } : {}),
  });
}
