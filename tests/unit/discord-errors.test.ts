import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { nonceFor } from '../../connectors/discord/client.js';
import { discordError, readRateLimitBody } from '../../connectors/discord/errors.js';
import { ConnectorError } from '../../connectors/errors.js';

const URL_ = 'https://discord.com/api/v10/guilds/1/members/2';
const apiError = (status: number, code: number, message: string) =>
  new DiscordAPIError({ code, message }, code, status, 'GET', URL_, {
    body: undefined,
    files: undefined,
  });

const rateLimit = (overrides: Partial<ConstructorParameters<typeof RateLimitError>[0]> = {}) =>
  new RateLimitError({
    global: false,
    method: 'post',
    url: URL_,
    route: '/channels/:id/messages',
    majorParameter: '1',
    hash: 'abc',
    limit: 5,
    timeToReset: 1_100,
    retryAfter: 1_050,
    sublimitTimeout: 0,
    scope: 'user',
    ...overrides,
  });

describe('Discord errors → ConnectorError', () => {
  it.each([
    ['10007 Unknown Member', apiError(404, 10007, 'Unknown Member'), 'not_found', 404],
    ['10003 Unknown Channel', apiError(404, 10003, 'Unknown Channel'), 'not_found', 404],
    ['10011 Unknown Role', apiError(404, 10011, 'Unknown Role'), 'not_found', 404],
    ['50001 Missing Access', apiError(403, 50001, 'Missing Access'), 'auth', 403],
    ['50013 Missing Permissions', apiError(403, 50013, 'Missing Permissions'), 'auth', 403],
    [
      '50007 DMs closed: the member’s choice, not townhall’s credentials',
      apiError(403, 50007, 'Cannot send messages to this user'),
      'invalid',
      403,
    ],
    ['50035 Invalid Form Body', apiError(400, 50035, 'Invalid Form Body'), 'invalid', 400],
    ['0 with 401 (bad token)', apiError(401, 0, '401: Unauthorized'), 'auth', 401],
    ['an unknown code: by status', apiError(409, 99999, 'Something'), 'conflict', 409],
    [
      '130000 overloaded',
      apiError(503, 130000, 'API resource is currently overloaded.'),
      'unavailable',
      503,
    ],
    [
      'HTTP 502 without a Discord body',
      new HTTPError(502, 'Bad Gateway', 'GET', URL_, { body: undefined, files: undefined }),
      'unavailable',
      502,
    ],
  ])('%s', (_name, error, code, status) => {
    const mapped = discordError('member lookup', error);
    expect(mapped).toBeInstanceOf(ConnectorError);
    expect(mapped).toMatchObject({ code, status, vendor: 'discord' });
  });

  it('decides by code, never by the message text', () => {
    // Discord localizes and rewords messages: a message that reads like another error changes nothing.
    expect(discordError('x', apiError(404, 10007, 'Missing Permissions'))).toMatchObject({
      code: 'not_found',
    });
    expect(discordError('x', apiError(403, 50013, 'Unknown Member'))).toMatchObject({
      code: 'auth',
    });
  });

  it('names the setting to fix on a 401, without the token', () => {
    const mapped = discordError('message post', apiError(401, 0, '401: Unauthorized'));
    expect(mapped.message).toContain('connectors.discord.botToken');
  });

  it('turns a route 429 into rate_limited with the longest advertised wait', () => {
    expect(discordError('post', rateLimit())).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      status: 429,
      retryAfterMs: 1_100,
    });
    // The body's retry_after wins when it asks for longer than the headers did.
    expect(discordError('post', rateLimit(), { retryAfterSeconds: 2.5 })).toMatchObject({
      retryAfterMs: 2_500,
    });
  });

  it('reports the global limit as such', () => {
    const mapped = discordError(
      'post',
      rateLimit({ global: true, scope: 'global', timeToReset: 3_050 }),
    );
    expect(mapped).toMatchObject({ code: 'rate_limited', retryAfterMs: 3_050 });
    expect(mapped.message).toContain('global');
    expect(discordError('post', rateLimit(), { global: true }).message).toContain('global');
  });

  it('falls back to Retry-After when the client knew no bucket reset', () => {
    expect(discordError('post', rateLimit({ timeToReset: 0 }))).toMatchObject({
      retryAfterMs: 1_050,
    });
  });

  it('treats a request that got no answer as unavailable, and passes programming errors through', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
      code: 'ECONNREFUSED',
    });
    expect(discordError('post', refused)).toMatchObject({ code: 'unavailable', retryable: true });
    const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(discordError('post', socket)).toMatchObject({ code: 'unavailable' });
    const bug = new TypeError('x is not a function');
    expect(discordError('post', bug)).toBe(bug);
  });

  it('reads retry_after and global from a 429 body', () => {
    expect(
      readRateLimitBody(
        '{"message":"You are being rate limited.","retry_after":0.351,"global":true}',
      ),
    ).toEqual({
      retryAfterSeconds: 0.351,
      global: true,
    });
    expect(readRateLimitBody('<html>cloudflare</html>')).toEqual({});
  });
});

describe('nonces from dedup keys', () => {
  it('are at most 25 characters, stable per key and distinct across keys', () => {
    const key = 'onboarding:8c1d2f0e-4c51-4d39-9a0e-3b2f5e7c9d11:step-3:dm';
    expect(nonceFor(key)).toHaveLength(25);
    expect(nonceFor(key)).toBe(nonceFor(key));
    expect(nonceFor(key)).not.toBe(nonceFor(`${key}x`));
  });
});
