import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import { zendeskError } from '../../connectors/zendesk/errors.js';
import { ZendeskHttpError, ZendeskNetworkError } from '../../connectors/zendesk/transport.js';

const map = (status: number, body: unknown = {}, retryAfter: string | null = null) =>
  zendeskError(new ZendeskHttpError(status, retryAfter, body), 'ticket creation') as ConnectorError;

describe('Zendesk failures as ConnectorErrors, by status and error body', () => {
  it('401 is a non-retryable auth error naming both credentials', () => {
    const error = map(401, { error: "Couldn't authenticate you" });
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'auth', status: 401, retryable: false, vendor: 'zendesk' });
    expect(error.message).toContain('connectors.zendesk.email and connectors.zendesk.apiToken');
  });

  it('403 is auth too, naming the user and the role it needs', () => {
    const error = map(403, { error: { title: 'Forbidden', message: 'You do not have access' } });
    expect(error).toMatchObject({ code: 'auth', retryable: false });
    expect(error.message).toContain(
      'Zendesk forbids the user in connectors.zendesk.email this ticket creation',
    );
  });

  it('422 is invalid, summarised from error, description and details', () => {
    const error = map(422, {
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: {
        base: [{ description: 'Description: cannot be blank', error: 'BlankValue' }],
        priority: [{ description: 'Priority: is invalid' }],
      },
    });
    expect(error).toMatchObject({ code: 'invalid', status: 422, retryable: false });
    expect(error.message).toBe(
      'Zendesk ticket creation failed: HTTP 422 RecordInvalid (Record validation errors): base BlankValue "Description: cannot be blank"; priority "Priority: is invalid"',
    );
  });

  it('404 is not_found; 409 (a simultaneous update) and 5xx are retryable', () => {
    expect(map(404, { error: 'RecordNotFound', description: 'Not found' })).toMatchObject({
      code: 'not_found',
      retryable: false,
    });
    expect(map(409)).toMatchObject({ code: 'unavailable', retryable: true, status: 409 });
    expect(map(500)).toMatchObject({ code: 'unavailable', retryable: true });
    expect(map(504)).toMatchObject({ code: 'unavailable', retryable: true });
  });

  it('429 and 503 carry Retry-After (seconds or an HTTP date); others do not', () => {
    expect(map(429, {}, '3')).toMatchObject({ code: 'rate_limited', retryAfterMs: 3_000 });
    const date = new Date(Date.now() + 60_000).toUTCString();
    const fromDate = map(429, {}, date).retryAfterMs!;
    expect(fromDate).toBeGreaterThan(55_000);
    expect(fromDate).toBeLessThanOrEqual(60_000);
    expect(map(503, {}, '10')).toMatchObject({ code: 'unavailable', retryAfterMs: 10_000 });
    expect(map(429)).toMatchObject({ code: 'rate_limited', retryAfterMs: undefined });
    expect(map(500, {}, '10').retryAfterMs).toBeUndefined();
  });

  it('classifies by status, never by the text: an HTML page is not echoed', () => {
    const error = map(502, '<html><body>Bad gateway: rate limit exceeded</body></html>');
    expect(error).toMatchObject({ code: 'unavailable' });
    expect(error.message).toBe('Zendesk ticket creation failed: HTTP 502');
    expect(map(400, { error: 'Unauthorized', description: 'rate limited' })).toMatchObject({
      code: 'invalid',
    });
  });

  it('no usable answer is unavailable; anything else is passed through unchanged', () => {
    expect(
      zendeskError(new ZendeskNetworkError(new TypeError('fetch failed')), 'comment'),
    ).toMatchObject({
      code: 'unavailable',
      retryable: true,
      message: 'Zendesk comment: no response',
    });
    const bug = new RangeError('a bug');
    expect(zendeskError(bug, 'comment')).toBe(bug);
  });
});
