import { withoutNames } from '../redact.js';
import { ConnectorError, codeForStatus, parseRetryAfter } from '../errors.js';

/** Discourse's JSON error body (ApplicationController#render_json_error). */
interface DiscourseErrorBody {
  errors?: unknown;
  error_type?: unknown;
  extras?: { wait_seconds?: unknown } | null;
}

function asErrorBody(text: string): DiscourseErrorBody {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/** Retry-After wins; Discourse also puts the same wait in extras.wait_seconds. */
function retryAfterMs(response: Response, body: DiscourseErrorBody): number | undefined {
  const header = parseRetryAfter(response.headers.get('retry-after'));
  if (header !== undefined) return header;
  const seconds = Number(body.extras?.wait_seconds);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** What an operator needs to act on, by status only (never by the message text). */
function hintFor(status: number, body: DiscourseErrorBody, names: readonly string[]): string {
  if (status === 401 || status === 403)
    return 'Discourse refused the credentials: check connectors.discourse.apiKey (an admin key) and connectors.discourse.apiUsername';
  const type = typeof body.error_type === 'string' ? ` (${body.error_type})` : '';
  // Validation errors name the failing field ("Title is too short") and sometimes the member
  // ("the following users do not exist: grace"): the usernames sent and addresses are masked.
  const errors = Array.isArray(body.errors) ? `: ${body.errors.map(String).join('; ')}` : '';
  return withoutNames(`HTTP ${status}${type}${errors}`, names).slice(0, 300);
}

/** Maps a non-2xx Discourse response to a ConnectorError. */
export function discourseHttpError(
  action: string,
  response: Response,
  text: string,
  /** Usernames the request named, masked wherever the error quotes them. */
  names: readonly string[] = [],
) {
  const body = asErrorBody(text);
  return new ConnectorError(
    codeForStatus(response.status),
    `Discourse ${action} failed: ${hintFor(response.status, body, names)}`,
    {
      vendor: 'discourse',
      status: response.status,
      retryAfterMs: response.status === 429 ? retryAfterMs(response, body) : undefined,
    },
  );
}

/** The request got no HTTP answer at all (refused, reset, DNS, timeout): worth retrying. */
export function discourseNetworkError(action: string, cause: unknown) {
  return new ConnectorError('unavailable', `Discourse ${action}: no response`, {
    vendor: 'discourse',
    cause,
  });
}
