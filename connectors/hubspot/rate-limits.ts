import { parseRetryAfter } from '../errors.js';

/**
 * HubSpot's rate-limit headers (API usage guidelines): a rolling burst window
 * (`X-HubSpot-RateLimit-Max` requests per `-Interval-Milliseconds`, `-Remaining` left) and a
 * daily allowance (`-Daily`, `-Daily-Remaining`) that resets at midnight in the account's time
 * zone. A 429's body names the policy that was hit (`policyName`: TEN_SECONDLY_ROLLING, DAILY).
 */
export interface RateLimitState {
  retryAfter?: string | undefined;
  intervalMs?: string | undefined;
  dailyRemaining?: string | undefined;
  policyName?: string | undefined;
}

/** Milliseconds from `now` until the next midnight in `timeZone` (an IANA name such as UTC). */
export function msUntilMidnight(timeZone: string, now = new Date()): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(now);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const elapsed =
    ((part('hour') * 60 + part('minute')) * 60 + part('second')) * 1000 + now.getMilliseconds();
  // A day with a daylight-saving change is an hour longer or shorter; the wait is then off by
  // that hour at most, and a request that comes too early is simply told to wait again.
  return 86_400_000 - elapsed;
}

/**
 * How long to wait before the next call may succeed. An explicit Retry-After wins; an exhausted
 * daily allowance waits for the daily reset (a second after midnight in the account's zone);
 * otherwise the burst window rolls over within one interval.
 */
export function rateLimitWaitMs(
  state: RateLimitState,
  timeZone: string,
  now = new Date(),
): number | undefined {
  const explicit = parseRetryAfter(state.retryAfter, now.getTime());
  if (explicit !== undefined) return explicit;
  if (state.policyName === 'DAILY' || state.dailyRemaining?.trim() === '0')
    return msUntilMidnight(timeZone, now) + 1_000;
  const interval = Number(state.intervalMs);
  return Number.isFinite(interval) && interval > 0 ? interval : undefined;
}
