import { Client } from '@hubspot/api-client';
import type { RequestBudget } from '../budget.js';
import type { HubSpotConfig } from './config.js';
import { hubspotError } from './errors.js';
import { isBatchBody } from './batch.js';
import type { BatchBody } from './batch.js';

/** The official client, pointed at `baseUrl` (the sandbox) when set. */
export function hubspotClient(config: Pick<HubSpotConfig, 'accessToken' | 'baseUrl'>): Client {
  return new Client({
    accessToken: config.accessToken,
    ...(config.baseUrl ? { basePath: config.baseUrl.replace(/\/$/, '') } : {}),
    // Temporal owns retries (with the server's Retry-After), so the SDK must not retry on its own.
    numberOfApiCallRetries: 0,
  });
}

/** Runs one SDK call; anything it throws becomes a ConnectorError. */
export type Call = <T>(action: string, call: () => Promise<T>) => Promise<T>;

/** Each call first takes a slot of the portal's request budget, when there is one. */
export function callerFor(
  config: Pick<HubSpotConfig, 'accountTimeZone'>,
  budget?: RequestBudget,
): Call {
  return async (action, call) => {
    await budget?.take();
    try {
      return await call();
    } catch (error) {
      throw hubspotError(error, action, config.accountTimeZone);
    }
  };
}

/**
 * A batch call whose 207 may come back either way: as the resolved body (what
 * @hubspot/api-client 13 does) or on an exception with code 207 (what an SDK that treated only
 * 200 as success would do). Either way the caller gets the body with its results and errors.
 */
export async function batchCall<R>(
  call: Call,
  action: string,
  send: () => Promise<BatchBody<R>>,
): Promise<BatchBody<R>> {
  return call(action, async () => {
    try {
      return await send();
    } catch (error) {
      const { code, body } = (error ?? {}) as { code?: unknown; body?: unknown };
      if (code === 207 && isBatchBody(body)) return body as BatchBody<R>;
      throw error;
    }
  });
}
