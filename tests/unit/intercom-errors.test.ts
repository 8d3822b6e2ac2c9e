import { Intercom, IntercomError, IntercomTimeoutError } from 'intercom-client';
import { describe, expect, it } from 'vitest';
import { toActivityFailure } from '../../activities/failures.js';
import { intercomError, intercomRetryAfterMs } from '../../connectors/intercom/errors.js';

/** What intercom-client throws for an HTTP error: status, parsed body, the response headers. */
function httpError(status: number, codes: string[], headers: Record<string, string> = {}) {
  return new IntercomError({
    statusCode: status,
    body: {
      type: 'error.list',
      request_id: 'b68959ea',
      errors: codes.map((code) => ({ code, message: `some text about ${code}` })),
    },
    rawResponse: {
      headers: new Headers(headers),
      redirected: false,
      status,
      statusText: '',
      type: 'basic',
      url: 'https://api.intercom.io/tickets',
    },
  });
}

describe('intercom-client failures → ConnectorError', () => {
  it.each([
    [400, ['parameter_invalid'], 'invalid'],
    // A missing *parameter*, not a missing record: the status decides.
    [400, ['parameter_not_found'], 'invalid'],
    [401, ['unauthorized'], 'auth'],
    [403, ['api_plan_restricted'], 'auth'],
    [404, ['ticket_not_found'], 'not_found'],
    [404, [], 'not_found'],
    [409, ['conflict'], 'conflict'],
    [422, ['data_invalid'], 'invalid'],
    [429, ['rate_limit_exceeded'], 'rate_limited'],
    // Intercom's code wins where it is unambiguous, whatever the status says.
    [400, ['rate_limit_exceeded'], 'rate_limited'],
    [500, ['server_error'], 'unavailable'],
    [503, [], 'unavailable'],
  ])('HTTP %i %j is %s', (status, codes, code) => {
    expect(intercomError('ticket creation', httpError(status, codes))).toMatchObject({
      code,
      status,
      vendor: 'intercom',
    });
  });

  it('the SDK subclasses map the same way (UnauthorizedError, NotFoundError)', () => {
    const unauthorized = new Intercom.UnauthorizedError(
      { type: 'error.list', errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }] },
      undefined,
    );
    expect(intercomError('contact search', unauthorized)).toMatchObject({ code: 'auth' });
    expect(intercomError('ticket read', new Intercom.NotFoundError(undefined))).toMatchObject({
      code: 'not_found',
    });
  });

  it('a 401 names the setting to check, is final, and echoes neither token nor messages', () => {
    const error = intercomError('contact search', httpError(401, ['unauthorized']));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('connectors.intercom.accessToken');
    expect(error.message).not.toContain('some text');
    expect(toActivityFailure(error)).toMatchObject({ nonRetryable: true });
  });

  it('other failures carry codes and fields, never Intercom’s message text', () => {
    const error = intercomError('contact creation', httpError(409, ['conflict']));
    expect(error.message).toBe('Intercom contact creation failed: HTTP 409 (conflict)');
  });

  it('a 429 waits Retry-After, else until X-RateLimit-Reset', () => {
    const now = Date.now();
    const retryAfter = intercomError(
      'ticket search',
      httpError(429, ['rate_limit_exceeded'], { 'retry-after': '3' }),
    );
    expect(retryAfter).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      retryAfterMs: 3_000,
    });
    expect(toActivityFailure(retryAfter)).toMatchObject({ nextRetryDelay: 3_000 });
    const reset = Math.ceil(now / 1000) + 8;
    const byReset = intercomError(
      'ticket search',
      httpError(429, ['rate_limit_exceeded'], {
        'x-ratelimit-limit': '1666',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(reset),
      }),
    );
    expect(byReset.retryAfterMs).toBeGreaterThan(7_000);
    expect(byReset.retryAfterMs).toBeLessThanOrEqual(9_000);
    expect(
      intercomRetryAfterMs(new Headers({ 'x-ratelimit-reset': String(reset) }), reset * 1000 + 5),
    ).toBe(0);
    expect(intercomRetryAfterMs(new Headers())).toBeUndefined();
    // A 400 never carries a wait, even with the headers present.
    expect(
      intercomError('x', httpError(400, ['parameter_invalid'], { 'retry-after': '3' }))
        .retryAfterMs,
    ).toBeUndefined();
  });

  it('no answer at all (timeout, reset connection) is retryable', () => {
    expect(intercomError('ticket creation', new IntercomTimeoutError('Timeout'))).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
    expect(
      intercomError('ticket creation', new IntercomError({ message: 'fetch failed' })),
    ).toMatchObject({ code: 'unavailable', retryable: true, status: undefined });
  });
});
