import { ConnectorError } from '../errors.js';
import type { RedditConfig } from './config.js';
import { userAgentOf } from './config.js';
import { redditHttpError, redditNetworkError } from './errors.js';

/** A token is renewed this long before Reddit says it expires, so no call carries a stale one. */
const RENEW_EARLY_MS = 60_000;
const TIMEOUT_MS = 15_000;

interface Token {
  value: string;
  expiresAt: number;
}

/**
 * OAuth for the app: a script app's password grant, or an installed/web app's refresh token,
 * both at /api/v1/access_token with the client id and secret as Basic auth. One token request at
 * a time: concurrent calls that find the token stale share the one renewal.
 */
export function redditTokens(config: RedditConfig) {
  let token: Token | undefined;
  let pending: Promise<Token> | undefined;
  const url = `${config.authUrl.replace(/\/+$/, '')}/api/v1/access_token`;

  async function request(): Promise<Token> {
    const grant: Record<string, string> = config.refreshToken
      ? { grant_type: 'refresh_token', refresh_token: config.refreshToken }
      : { grant_type: 'password', username: config.username, password: config.password ?? '' };
    let response: Response;
    let body: { access_token?: unknown; expires_in?: unknown; error?: unknown };
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64')}`,
          'user-agent': userAgentOf(config),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams(grant).toString(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      body = (await response.json().catch(() => ({}))) as typeof body;
    } catch (error) {
      throw redditNetworkError('sign-in', error);
    }
    if (!response.ok) throw redditHttpError('sign-in', response.status, response.headers);
    // A wrong password or a revoked refresh token is a 200 with `error` (invalid_grant).
    if (typeof body.access_token !== 'string')
      throw new ConnectorError(
        'auth',
        `Reddit sign-in refused (${typeof body.error === 'string' ? body.error : 'no token'}): check connectors.reddit.username and password, or refreshToken`,
        { vendor: 'reddit', status: response.status },
      );
    const lifetime = Number(body.expires_in);
    return {
      value: body.access_token,
      expiresAt: Date.now() + (Number.isFinite(lifetime) ? lifetime * 1000 : 3_600_000),
    };
  }

  return {
    /** A token good for at least another minute. */
    async current(): Promise<string> {
      if (token && token.expiresAt - RENEW_EARLY_MS > Date.now()) return token.value;
      pending ??= request().finally(() => (pending = undefined));
      token = await pending;
      return token.value;
    },
    /**
     * Reddit refused this token (revoked, or its clock ahead of ours): the next call renews it,
     * unless another call already has.
     */
    forget(refused: string): void {
      if (token?.value === refused) token = undefined;
    },
  };
}
