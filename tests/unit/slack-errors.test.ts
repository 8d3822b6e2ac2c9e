import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import type { ConnectorErrorCode } from '../../connectors/errors.js';
import { slackError } from '../../connectors/slack/errors.js';

const platform = (error: string, extra: Record<string, unknown> = {}) =>
  new WebAPIPlatformError({ ok: false, error, ...extra });

describe('Slack errors → ConnectorError, by code', () => {
  it.each<[string, ConnectorErrorCode, boolean]>([
    ['invalid_auth', 'auth', false],
    ['not_authed', 'auth', false],
    ['account_inactive', 'auth', false],
    ['token_revoked', 'auth', false],
    ['missing_scope', 'auth', false],
    ['channel_not_found', 'not_found', false],
    ['user_not_found', 'not_found', false],
    ['users_not_found', 'not_found', false],
    ['thread_not_found', 'not_found', false],
    ['ratelimited', 'rate_limited', true],
    ['internal_error', 'unavailable', true],
    ['fatal_error', 'unavailable', true],
    ['not_in_channel', 'invalid', false],
    ['invalid_arguments', 'invalid', false],
    ['msg_too_long', 'invalid', false],
    ['some_future_error', 'invalid', false],
  ])('ok:false %s → %s', (code, expected, retryable) => {
    expect(slackError('chat.postMessage', platform(code))).toMatchObject({
      code: expected,
      retryable,
      vendor: 'slack',
    });
  });

  it('classifies by the code, never by the words around it', () => {
    // The same wording with a different code, and a different wording with the same code.
    const misleading = platform('invalid_arguments', {
      response_metadata: { messages: ['[ERROR] invalid_auth channel_not_found ratelimited'] },
    });
    expect(slackError('chat.postMessage', misleading).code).toBe('invalid');
    const plain = platform('channel_not_found', { warning: 'something about auth' });
    expect(slackError('chat.postMessage', plain).code).toBe('not_found');
  });

  it("names the failing argument from Slack's [ERROR] notes, and never the token", () => {
    const error = slackError(
      'chat.postMessage',
      platform('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] missing required field: channel'] },
      }),
    );
    expect(error.message).toContain('missing required field: channel');
    const auth = slackError('users.info', platform('invalid_auth'));
    expect(auth.message).toContain('connectors.slack.botToken');
  });

  it('names the scope for missing_scope, from the answer or from the method', () => {
    const named = slackError(
      'users.lookupByEmail',
      platform('missing_scope', { needed: 'users:read.email', provided: 'users:read' }),
    );
    expect(named).toMatchObject({ code: 'auth', retryable: false });
    expect(named.message).toContain('users:read.email');
    expect(slackError('users.lookupByEmail', platform('missing_scope')).message).toContain(
      'users:read.email',
    );
  });

  it('turns a rejected 429 into rate_limited with the Retry-After wait', () => {
    expect(slackError('users.info', new WebAPIRateLimitedError(7))).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      status: 429,
      retryAfterMs: 7_000,
    });
  });

  it.each<[number, ConnectorErrorCode]>([
    [500, 'unavailable'],
    [502, 'unavailable'],
    [503, 'unavailable'],
    [404, 'not_found'],
    [400, 'invalid'],
  ])('HTTP %i → %s', (status, expected) => {
    const error = new WebAPIHTTPError(status, 'x', {}, '<html>oops</html>');
    expect(slackError('chat.postMessage', error)).toMatchObject({ code: expected, status });
  });

  it('reports a request that got no answer, and anything unknown, as unavailable', () => {
    const reset = new WebAPIRequestError(new Error('socket hang up'));
    expect(slackError('chat.postMessage', reset)).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
    expect(
      slackError('chat.postMessage', new Error('Retry header did not contain a valid timeout')),
    ).toMatchObject({ code: 'unavailable', retryable: true });
  });
});
