import { IntercomClient, IntercomEnvironment } from 'intercom-client';
import type { IntercomConfig } from './config.js';
import { INTERCOM_VERSION } from './config.js';

export interface IntercomClientOptions {
  /** Per request; a create that outlives it is retried by Temporal (and deduplicated). */
  timeoutInSeconds?: number;
}

/**
 * The official SDK client, pinned to API version 2.14 and with its own retries off: Temporal
 * owns retries, honouring the wait Intercom advertises (see errors.ts), and a client retrying
 * inside an activity would hide both the attempts and the waits from it.
 */
export function intercomClient(
  config: Pick<IntercomConfig, 'accessToken' | 'baseUrl'>,
  options: IntercomClientOptions = {},
): IntercomClient {
  return new IntercomClient({
    token: config.accessToken,
    baseUrl: (config.baseUrl ?? IntercomEnvironment.UsProduction).replace(/\/+$/, ''),
    version: INTERCOM_VERSION,
    maxRetries: 0,
    timeoutInSeconds: options.timeoutInSeconds ?? 20,
  });
}
