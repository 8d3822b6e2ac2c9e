import { IntercomError, IntercomTimeoutError } from 'intercom-client';
import type { ConnectorErrorCode } from '../errors.js';
import { ConnectorError, codeForStatus, parseRetryAfter } from '../errors.js';

/** Intercom's error body: `{ type: 'error.list', request_id, errors: [{ code, message, field }] }`. */
interface ErrorList {
  codes: string[];
  fields: string[];
}

function errorList(body: unknown): ErrorList {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors)) return { codes: [], fields: [] };
  const items = errors.filter(
    (item): item is { code?: unknown; field?: unknown } => typeof item === 'object' && !!item,
  );
  return {
    codes: items
      .map((item) => item.code)
      .filter((code): code is string => typeof code === 'string'),
    fields: items
      .map((item) => item.field)
      .filter((field): field is string => typeof field === 'string'),
  };
}

/**
 * Error codes whose meaning is plain whatever the status; any other code (parameter_not_found
 * is a 400 about a missing field, not a missing record) leaves the status to decide.
 */
const BY_CODE: Record<string, ConnectorErrorCode> = {
  unauthorized: 'auth',
  token_unauthorized: 'auth',
  token_revoked: 'auth',
  forbidden: 'auth',
  not_found: 'not_found',
  conflict: 'conflict',
  rate_limit_exceeded: 'rate_limited',
  server_error: 'unavailable',
  service_unavailable: 'unavailable',
};

function headersOf(error: IntercomError): Headers | undefined {
  const headers = error.rawResponse?.headers;
  return headers && typeof headers.get === 'function' ? headers : undefined;
}

/**
 * Retry-After when Intercom sends it, else X-RateLimit-Reset (the epoch second when the
 * current window ends), which is what Intercom documents for its 429s.
 */
export function intercomRetryAfterMs(
  headers: Headers | undefined,
  now = Date.now(),
): number | undefined {
  const retryAfter = parseRetryAfter(headers?.get('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(headers?.get('x-ratelimit-reset') ?? NaN);
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now) : undefined;
}

/** What an operator needs to act on, from the status and the error codes (never messages). */
function hintFor(status: number, code: ConnectorErrorCode, list: ErrorList): string {
  if (code === 'auth')
    return `Intercom refused the access token (HTTP ${status}): check connectors.intercom.accessToken (the app's access token, Developer Hub > Authentication) and its permissions`;
  const codes = list.codes.length > 0 ? ` (${list.codes.join(', ')})` : '';
  const fields = list.fields.length > 0 ? ` on ${list.fields.join(', ')}` : '';
  return `HTTP ${status}${codes}${fields}`;
}

/** Maps whatever intercom-client threw to a ConnectorError. */
export function intercomError(action: string, error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (error instanceof IntercomTimeoutError)
    return new ConnectorError('unavailable', `Intercom ${action}: no response in time`, {
      vendor: 'intercom',
      cause: error,
    });
  if (error instanceof IntercomError && error.statusCode !== undefined) {
    const status = error.statusCode;
    const list = errorList(error.body);
    const code = list.codes.map((c) => BY_CODE[c]).find(Boolean) ?? codeForStatus(status);
    const retryable = code === 'rate_limited' || code === 'unavailable';
    // No cause: the SDK's message embeds the response body, which may hold personal data.
    return new ConnectorError(code, `Intercom ${action} failed: ${hintFor(status, code, list)}`, {
      vendor: 'intercom',
      status,
      ...(retryable ? { retryAfterMs: intercomRetryAfterMs(headersOf(error)) } : {}),
    });
  }
  // No HTTP answer at all (refused, reset, DNS): worth retrying.
  return new ConnectorError('unavailable', `Intercom ${action}: no response`, {
    vendor: 'intercom',
    cause: error,
  });
}

/** Runs one SDK call, turning its failure into a ConnectorError. */
export async function attempt<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw intercomError(action, error);
  }
}
