import type { RequestBudget } from '../budget.js';
import { ConnectorError } from '../errors.js';
import { redditTokens } from './auth.js';
import type { RedditConfig } from './config.js';
import { userAgentOf } from './config.js';
import { redditHttpError, redditNetworkError, redditShapeError } from './errors.js';

export interface RedditRequest {
  method: 'GET' | 'POST';
  /** Under the API, e.g. /r/townhall/new. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Form fields: Reddit's write endpoints take application/x-www-form-urlencoded. */
  form?: Record<string, string>;
}

/** What the last answer said of the rate window (X-Ratelimit-Remaining / -Reset). */
export interface RateWindow {
  remaining: number;
  resetsAt: number;
}

const TIMEOUT_MS = 15_000;

/**
 * One Reddit API call: a slot from the budget every worker shares (one per client id), the
 * bearer token, the User-Agent Reddit requires. Retries are Temporal's job, so this never retries
 * on its own, except once after a 401, with a renewed token (it may have expired early).
 */
export function redditHttp(config: RedditConfig, budget: RequestBudget | undefined) {
  const tokens = redditTokens(config);
  const base = config.apiUrl.replace(/\/+$/, '');
  let window: RateWindow | undefined;

  function noteWindow(headers: Headers) {
    const remaining = Number(headers.get('x-ratelimit-remaining'));
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (
      headers.has('x-ratelimit-remaining') &&
      Number.isFinite(remaining) &&
      Number.isFinite(reset)
    )
      window = { remaining, resetsAt: Date.now() + reset * 1000 };
  }

  async function send(
    action: string,
    request: RedditRequest,
  ): Promise<{ response: Response; token: string }> {
    // The window is spent: wait as Reddit said, without spending a request to hear it again.
    if (window && window.remaining < 1 && window.resetsAt > Date.now())
      throw new ConnectorError('rate_limited', `Reddit ${action}: the rate window is spent`, {
        vendor: 'reddit',
        retryAfterMs: window.resetsAt - Date.now(),
      });
    await budget?.take();
    const query = new URLSearchParams({ raw_json: '1' });
    for (const [key, value] of Object.entries(request.query ?? {}))
      if (value !== undefined) query.set(key, String(value));
    const token = await tokens.current();
    try {
      const response = await fetch(`${base}${request.path}?${query.toString()}`, {
        method: request.method,
        headers: {
          authorization: `bearer ${token}`,
          'user-agent': userAgentOf(config),
          accept: 'application/json',
          ...(request.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(request.form ? { body: new URLSearchParams(request.form).toString() } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      return { response, token };
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      throw redditNetworkError(action, error);
    }
  }

  return {
    async call(action: string, request: RedditRequest): Promise<unknown> {
      let { response, token } = await send(action, request);
      if (response.status === 401) {
        tokens.forget(token);
        ({ response, token } = await send(action, request));
      }
      noteWindow(response.headers);
      if (!response.ok) throw redditHttpError(action, response.status, response.headers);
      try {
        return await response.json();
      } catch {
        throw redditShapeError(action);
      }
    },
    /**
     * How long to wait before the next poll so that the rest of the window lasts until it resets:
     * the configured interval at least, longer when few requests remain.
     */
    pace(requestsPerPoll: number, intervalMs: number): number {
      if (!window || window.resetsAt <= Date.now()) return intervalMs;
      const untilReset = window.resetsAt - Date.now();
      const polls = Math.floor(window.remaining / Math.max(1, requestsPerPoll));
      return polls < 1 ? untilReset : Math.max(intervalMs, Math.ceil(untilReset / polls));
    },
  };
}

export type RedditHttp = ReturnType<typeof redditHttp>;
