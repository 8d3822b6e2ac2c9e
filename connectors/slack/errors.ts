import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import type { ConnectorErrorCode } from '../errors.js';
import { ConnectorError, codeForStatus, parseRetryAfter } from '../errors.js';

/**
 * Slack answers almost every failure with HTTP 200 and `{ ok: false, error: "<code>" }`; the code
 * is the contract (docs.slack.dev, "Web API basics" and each method's error table), the wording
 * around it is not. Classification is by code only.
 */
const AUTH = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'ekm_access_denied',
  'access_denied',
]);
const NOT_FOUND = new Set([
  'channel_not_found',
  'user_not_found',
  'users_not_found',
  'thread_not_found',
  'message_not_found',
]);
const RATE_LIMITED = new Set(['ratelimited', 'rate_limited']);
/** Slack's own trouble: "It's possible some aspect of the operation succeeded" (internal_error). */
const UNAVAILABLE = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

export function codeForSlackError(error: string): ConnectorErrorCode {
  if (AUTH.has(error)) return 'auth';
  if (NOT_FOUND.has(error)) return 'not_found';
  if (RATE_LIMITED.has(error)) return 'rate_limited';
  if (UNAVAILABLE.has(error)) return 'unavailable';
  return 'invalid';
}

/** The scope each method needs, for a missing_scope answer that does not name it. */
const SCOPE_FOR: Record<string, string> = {
  'chat.postMessage': 'chat:write',
  'conversations.open': 'im:write',
  'conversations.history': 'channels:history',
  'conversations.replies': 'channels:history',
  'users.info': 'users:read',
  'users.lookupByEmail': 'users:read.email',
  'reactions.add': 'reactions:write',
};

function platformMessage(method: string, data: WebAPIPlatformError['data']): string {
  const { error } = data;
  if (error === 'missing_scope') {
    const needed = (data as { needed?: unknown }).needed;
    const scope = typeof needed === 'string' && needed ? needed : SCOPE_FOR[method];
    return `Slack ${method} needs the ${scope ?? 'a missing'} scope: add it to the app under OAuth & Permissions and reinstall the app (missing_scope)`;
  }
  if (AUTH.has(error))
    return `Slack refused the bot token for ${method} (${error}): check connectors.slack.botToken`;
  // Slack's [ERROR]/[WARN] notes name the failing argument ("missing required field: channel").
  const notes = data.response_metadata?.messages?.filter((m) => m.startsWith('[ERROR]')) ?? [];
  return `Slack ${method} failed: ${error}${notes.length ? ` (${notes.join('; ')})` : ''}`.slice(
    0,
    300,
  );
}

/** Any error the WebClient throws for `method`, as the ConnectorError the activities act on. */
export function slackError(method: string, error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (error instanceof WebAPIRateLimitedError)
    return new ConnectorError('rate_limited', `Slack ${method} is rate limited`, {
      vendor: 'slack',
      status: 429,
      retryAfterMs: error.retryAfter * 1000,
    });
  if (error instanceof WebAPIPlatformError) {
    const code = codeForSlackError(error.data.error);
    const retryAfter = error.data.response_metadata?.retryAfter;
    return new ConnectorError(code, platformMessage(method, error.data), {
      vendor: 'slack',
      status: 200,
      ...(code === 'rate_limited' && retryAfter !== undefined
        ? { retryAfterMs: retryAfter * 1000 }
        : {}),
    });
  }
  if (error instanceof WebAPIHTTPError) {
    const code = codeForStatus(error.statusCode);
    return new ConnectorError(code, `Slack ${method} failed: HTTP ${error.statusCode}`, {
      vendor: 'slack',
      status: error.statusCode,
      ...(code === 'rate_limited'
        ? { retryAfterMs: parseRetryAfter(error.headers['retry-after']) }
        : {}),
    });
  }
  if (error instanceof WebAPIRequestError)
    return new ConnectorError('unavailable', `Slack ${method}: no response`, {
      vendor: 'slack',
      cause: error.original,
    });
  // What is left has no HTTP answer we can classify (for instance a 429 without Retry-After,
  // which the WebClient reports as a plain Error): worth retrying with Temporal's backoff.
  return new ConnectorError('unavailable', `Slack ${method}: unexpected failure`, {
    vendor: 'slack',
    cause: error,
  });
}
