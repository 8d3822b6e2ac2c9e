import { withoutEmails } from '../redact.js';
import type { ConnectorErrorCode } from '../errors.js';
import { ConnectorError, codeForStatus, parseRetryAfter } from '../errors.js';

/**
 * Freshdesk's error bodies come in two shapes: validation failures (400, and 409 for a duplicate)
 * `{ description: 'Validation failed', errors: [{ field, message, code }] }`, and the rest
 * `{ code: 'invalid_credentials', message }`. 404 often has no body at all.
 */
const asObject = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** `email invalid_value "It should be a valid email address"`, one per entry of `errors`. */
export function fieldProblems(body: unknown): string[] {
  const errors = asObject(body)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((entry) => {
    const fields = asObject(entry) ?? {};
    const code = str(fields.code);
    const message = str(fields.message);
    return [str(fields.field) ?? '(request)', code, message ? `"${message}"` : undefined]
      .filter(Boolean)
      .join(' ');
  });
}

/** What an operator reads; emails masked (Freshdesk may quote refused values). */
function summary(status: number, body: unknown): string {
  const fields = asObject(body);
  const head = str(fields?.description) ?? str(fields?.message) ?? str(fields?.code);
  const problems = fieldProblems(body);
  const text = [
    `HTTP ${status}`,
    head ? ` (${head})` : '',
    problems.length > 0 ? `: ${problems.join('; ')}` : '',
  ].join('');
  return withoutEmails(text).slice(0, 400);
}

function hintFor(status: number, action: string, body: unknown): string {
  if (status === 401)
    return 'Freshdesk refused the credentials: check connectors.freshdesk.apiKey (an agent’s API key) and the domain';
  if (status === 403)
    return `Freshdesk forbids the agent whose API key townhall uses this ${action}: give it a role that can see and edit tickets and contacts`;
  return summary(status, body);
}

/**
 * An HTTP answer as a ConnectorError, by status only (never by message text): 401/403 auth,
 * 400/422 invalid, 404 not_found, 409 conflict, 429 rate_limited (with Retry-After), 5xx
 * unavailable.
 */
export function freshdeskHttpError(
  action: string,
  status: number,
  body: unknown,
  retryAfter: string | null,
): ConnectorError {
  const code: ConnectorErrorCode = codeForStatus(status);
  const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(retryAfter) : undefined;
  return new ConnectorError(code, `Freshdesk ${action} failed: ${hintFor(status, action, body)}`, {
    vendor: 'freshdesk',
    status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** No answer at all: refused, reset, dropped, timed out. Worth retrying. */
export function freshdeskNetworkError(action: string, cause: unknown): ConnectorError {
  return new ConnectorError('unavailable', `Freshdesk ${action}: no response`, {
    vendor: 'freshdesk',
    cause,
  });
}

/** A 2xx whose body is not what Freshdesk documents: the API changed, or a proxy answered. */
export function unexpectedAnswer(action: string, cause: unknown): ConnectorError {
  return new ConnectorError('unavailable', `Freshdesk ${action}: unexpected answer`, {
    vendor: 'freshdesk',
    cause,
  });
}

/** A refusal townhall makes itself before calling Freshdesk. */
export function refused(message: string): ConnectorError {
  return new ConnectorError('invalid', `Freshdesk: ${message}`, { vendor: 'freshdesk' });
}
