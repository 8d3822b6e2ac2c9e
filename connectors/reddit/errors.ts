import { ConnectorError, codeForStatus, parseRetryAfter } from '../errors.js';
import { withoutEmails } from '../redact.js';

const vendor = 'reddit';

/**
 * When Reddit lets requests through again: Retry-After when it sends one, else the end of the
 * rate window (X-Ratelimit-Reset, whole seconds), which every API answer carries.
 */
export function waitFrom(headers: Headers): number | undefined {
  const retryAfter = parseRetryAfter(headers.get('retry-after'));
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(headers.get('x-ratelimit-reset'));
  return Number.isFinite(reset) && headers.has('x-ratelimit-reset') ? reset * 1000 : undefined;
}

/** What an operator needs to act on, by status only (never by the message text). */
function hintFor(status: number): string {
  if (status === 401)
    return 'Reddit refused the access token: check connectors.reddit.clientId, clientSecret and the password or refreshToken';
  if (status === 403)
    return 'Reddit forbade it: the bot account must be a moderator of the subreddit, and the app needs the scope (read, submit, privatemessages, modmail)';
  if (status === 404)
    return 'not found (a subreddit that does not exist, or a post or account that is gone): check connectors.reddit.subreddits';
  if (status === 429) return 'rate limited';
  return `HTTP ${status}`;
}

/** A non-2xx Reddit answer as a ConnectorError. */
export function redditHttpError(action: string, status: number, headers: Headers) {
  return new ConnectorError(codeForStatus(status), `Reddit ${action} failed: ${hintFor(status)}`, {
    vendor,
    status,
    retryAfterMs: status === 429 ? waitFrom(headers) : undefined,
  });
}

/** The request got no HTTP answer at all (refused, reset, timeout): worth retrying. */
export function redditNetworkError(action: string, cause: unknown) {
  return new ConnectorError('unavailable', `Reddit ${action}: no response`, { vendor, cause });
}

/** A 2xx body that is not what the API gives: a proxy's page, or an outage. */
export function redditShapeError(action: string) {
  return new ConnectorError('unavailable', `Reddit ${action}: the answer is not the API's`, {
    vendor,
  });
}

/**
 * `api_type=json` endpoints answer 200 with `json.errors`: `[code, message, field]` triples.
 * Their codes (never their text) decide: a thing that is gone is not_found, a rate limit says
 * how long to wait, the rest is a request Reddit will refuse again.
 */
export function redditApiError(action: string, errors: readonly unknown[]): ConnectorError {
  const first = (Array.isArray(errors[0]) ? errors[0] : []) as unknown[];
  const code = typeof first[0] === 'string' ? first[0] : 'UNKNOWN';
  const field = typeof first[2] === 'string' ? ` (${first[2]})` : '';
  const message = `Reddit ${action} refused: ${code}${field}`;
  if (code === 'RATELIMIT')
    return new ConnectorError('rate_limited', message, { vendor, retryAfterMs: 60_000 });
  if (code === 'NO_THING' || code === 'USER_DOESNT_EXIST' || code === 'DELETED_COMMENT')
    return new ConnectorError('not_found', message, { vendor });
  return new ConnectorError('invalid', withoutEmails(message), { vendor });
}
