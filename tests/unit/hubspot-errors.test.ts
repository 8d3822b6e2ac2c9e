import { describe, expect, it } from 'vitest';
import { hubspotError } from '../../connectors/hubspot/errors.js';
import { msUntilMidnight, rateLimitWaitMs } from '../../connectors/hubspot/rate-limits.js';

/** What @hubspot/api-client throws: ApiException with code, body and lower-case headers. */
const apiException = (code: number, headers: Record<string, string> = {}, body: unknown = {}) =>
  Object.assign(new Error(`HTTP-Code: ${code}`), { code, headers, body });

const burstHeaders = {
  'x-hubspot-ratelimit-max': '100',
  'x-hubspot-ratelimit-remaining': '0',
  'x-hubspot-ratelimit-interval-milliseconds': '10000',
  'x-hubspot-ratelimit-daily': '250000',
  'x-hubspot-ratelimit-daily-remaining': '1234',
};

describe('HubSpot rate limits', () => {
  it('waits for the rolling burst window when the 10-second limit is hit', () => {
    const error = hubspotError(
      apiException(429, burstHeaders, { policyName: 'TEN_SECONDLY_ROLLING' }),
      'upsert',
    );
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 10_000 });
  });

  it('prefers an explicit Retry-After', () => {
    const error = hubspotError(apiException(429, { ...burstHeaders, 'retry-after': '3' }), 'x');
    expect(error.retryAfterMs).toBe(3_000);
  });

  it('waits until the daily reset, not 10 s, when the daily allowance is spent', () => {
    const untilMidnight = msUntilMidnight('UTC');
    const daily = { ...burstHeaders, 'x-hubspot-ratelimit-daily-remaining': '0' };
    const byHeader = hubspotError(apiException(429, daily), 'x', 'UTC');
    const byPolicy = hubspotError(apiException(429, burstHeaders, { policyName: 'DAILY' }), 'x');
    for (const error of [byHeader, byPolicy]) {
      expect(error.retryAfterMs).toBeGreaterThan(untilMidnight - 5_000);
      expect(error.retryAfterMs).toBeLessThanOrEqual(untilMidnight + 1_000);
    }
  });

  it('counts to midnight in the account’s time zone', () => {
    const now = new Date('2026-11-24T22:30:00Z');
    expect(msUntilMidnight('UTC', now)).toBe(90 * 60_000);
    // 23:30 in Berlin (UTC+1 in November), 17:30 in New York (UTC-5).
    expect(msUntilMidnight('Europe/Berlin', now)).toBe(30 * 60_000);
    expect(msUntilMidnight('America/New_York', now)).toBe(6.5 * 3_600_000);
    expect(rateLimitWaitMs({ dailyRemaining: '0' }, 'Europe/Berlin', now)).toBe(
      30 * 60_000 + 1_000,
    );
    expect(rateLimitWaitMs({}, 'UTC', now)).toBeUndefined();
  });

  it('classifies by status only, whatever the message says', () => {
    const misleading = { category: 'RATE_LIMITS', message: 'You have reached your daily limit.' };
    expect(hubspotError(apiException(400, {}, misleading), 'x')).toMatchObject({
      code: 'invalid',
      retryable: false,
      retryAfterMs: undefined,
    });
    expect(hubspotError(apiException(409), 'x').code).toBe('conflict');
    expect(hubspotError(apiException(503), 'x')).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
  });

  it('a 401 is non-retryable and names the setting, not the token', () => {
    const token = 'pat-na1-0000secret';
    const error = hubspotError(
      apiException(
        401,
        { authorization: `Bearer ${token}` },
        { category: 'INVALID_AUTHENTICATION' },
      ),
      'contact upsert',
    );
    expect(error).toMatchObject({ code: 'auth', retryable: false, status: 401 });
    expect(error.message).toContain('connectors.hubspot.accessToken');
    expect(error.message).not.toContain(token);
  });
});
