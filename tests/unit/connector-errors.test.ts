import { withoutEmails, withoutNames } from '../../connectors/redact.js';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { toActivityFailure } from '../../activities/failures.js';
import { ConnectorError, codeForStatus, parseRetryAfter } from '../../connectors/errors.js';

describe('ConnectorError', () => {
  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not_found'],
    [409, 'conflict'],
    [429, 'rate_limited'],
    [400, 'invalid'],
    [422, 'invalid'],
    [408, 'unavailable'],
    [500, 'unavailable'],
    [503, 'unavailable'],
  ])('classifies HTTP %d as %s', (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('only rate_limited and unavailable are retryable', () => {
    const retryable = (
      ['auth', 'invalid', 'not_found', 'conflict', 'rate_limited', 'unavailable'] as const
    ).filter((code) => new ConnectorError(code, 'x', { vendor: 'v' }).retryable);
    expect(retryable).toEqual(['rate_limited', 'unavailable']);
  });
});

describe('toActivityFailure', () => {
  it('stops retrying on a permanent error', () => {
    const failure = toActivityFailure(
      new ConnectorError('auth', 'bad token', { vendor: 'hubspot', status: 401 }),
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({
      type: 'ConnectorError.auth',
      nonRetryable: true,
      message: 'bad token',
    });
  });

  it('retries a rate limit after the vendor’s advertised wait', () => {
    const failure = toActivityFailure(
      new ConnectorError('rate_limited', 'slow down', {
        vendor: 'hubspot',
        status: 429,
        retryAfterMs: 10_000,
      }),
    );
    expect(failure).toMatchObject({
      type: 'ConnectorError.rate_limited',
      nonRetryable: false,
      nextRetryDelay: 10_000,
    });
  });

  it('passes any other error through unchanged (Temporal retries it)', () => {
    const error = new Error('connection reset');
    expect(toActivityFailure(error)).toBe(error);
  });
});

describe('vendor error text', () => {
  it('masks email addresses a vendor quotes back', () => {
    expect(withoutEmails('Email: ada.l+x@example.co.uk is not properly formatted')).toBe(
      'Email: [email] is not properly formatted',
    );
    expect(withoutEmails('Subject: cannot be blank')).toBe('Subject: cannot be blank');
  });

  it('masks the usernames the request named, as whole words in any case, and emails', () => {
    expect(withoutNames('You cannot send a message to grace.', ['grace'])).toBe(
      'You cannot send a message to [user].',
    );
    expect(
      withoutNames('Sorry, the following users do not exist: Grace, grace.h, @ada_l', [
        'grace',
        'grace.h',
        'ada_l',
      ]),
    ).toBe('Sorry, the following users do not exist: [user], [user], @[user]');
    // Part of another word is left alone; a name with regex characters is matched literally.
    expect(withoutNames('disgraceful gracefully', ['grace'])).toBe('disgraceful gracefully');
    expect(withoutNames('user a.b+c refused', ['a.b+c'])).toBe('user [user] refused');
    expect(withoutNames('aXb refused', ['a.b'])).toBe('aXb refused');
    expect(withoutNames('ada@example.com is taken', [''])).toBe('[email] is taken');
  });
});
