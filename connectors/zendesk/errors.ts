import { withoutEmails } from '../redact.js';
import { ConnectorError, codeForStatus, parseRetryAfter } from '../errors.js';
import type { ConnectorErrorCode } from '../errors.js';
import { ZendeskHttpError, ZendeskNetworkError } from './transport.js';

/**
 * Zendesk's error body: `{ error, description, details }`, where `error` is a code such as
 * RecordInvalid or RecordNotFound (or, on some endpoints, `{ title, message }`) and `details`
 * maps a field to its problems: `{ base: [{ description, error: 'BlankValue' }] }`.
 */
interface ZendeskErrorBody {
  error?: unknown;
  description?: unknown;
  details?: unknown;
}

const asObject = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

function errorName(body: ZendeskErrorBody): string | undefined {
  if (typeof body.error === 'string') return body.error;
  const nested = asObject(body.error);
  return typeof nested?.title === 'string' ? nested.title : undefined;
}

/** `subject BlankValue "Subject: cannot be blank"`, one per problem, from `details`. */
function detailsOf(body: ZendeskErrorBody): string[] {
  const details = asObject(body.details);
  if (!details) return [];
  return Object.entries(details).flatMap(([field, problems]) =>
    (Array.isArray(problems) ? problems : [problems]).map((problem) => {
      const entry = asObject(problem) ?? {};
      const code = typeof entry.error === 'string' ? ` ${entry.error}` : '';
      const text = typeof entry.description === 'string' ? ` "${entry.description}"` : '';
      return `${field}${code}${text}`;
    }),
  );
}

/**
 * What an operator reads: the status, Zendesk's error code and description, the field problems,
 * with email addresses masked (Zendesk quotes refused values; this reaches logs and history).
 */
function summary(status: number, body: unknown): string {
  const fields = asObject(body) as ZendeskErrorBody | undefined;
  if (!fields) return `HTTP ${status}`;
  const name = errorName(fields);
  const description = typeof fields.description === 'string' ? fields.description : undefined;
  const details = detailsOf(fields);
  const text = [
    `HTTP ${status}`,
    name ? ` ${name}` : '',
    description ? ` (${description})` : '',
    details.length > 0 ? `: ${details.join('; ')}` : '',
  ].join('');
  return withoutEmails(text).slice(0, 400);
}

/**
 * By status only. Two Zendesk specifics: 409 is a simultaneous update of the same record, which
 * Zendesk asks clients to retry; a 503 may carry Retry-After like a 429 does.
 */
function codeFor(status: number): ConnectorErrorCode {
  if (status === 409) return 'unavailable';
  return codeForStatus(status);
}

function hintFor(status: number, action: string, body: unknown): string {
  if (status === 401)
    return 'Zendesk refused the credentials: check connectors.zendesk.email and connectors.zendesk.apiToken (an API token of that agent; token access must be on in Admin Center > Apps and integrations > Zendesk API)';
  if (status === 403)
    return `Zendesk forbids the user in connectors.zendesk.email this ${action}: give it an agent or admin role that can see and edit tickets`;
  return summary(status, body);
}

/**
 * Anything the Zendesk client threw, as a ConnectorError. An error that is neither an HTTP answer
 * nor a transport failure is a bug, and is returned unchanged.
 */
export function zendeskError(error: unknown, action: string): unknown {
  if (error instanceof ZendeskHttpError) {
    const code = codeFor(error.status);
    const retryAfterMs =
      error.status === 429 || error.status === 503 ? parseRetryAfter(error.retryAfter) : undefined;
    return new ConnectorError(
      code,
      `Zendesk ${action} failed: ${hintFor(error.status, action, error.body)}`,
      {
        vendor: 'zendesk',
        status: error.status,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      },
    );
  }
  if (error instanceof ZendeskNetworkError) {
    return new ConnectorError('unavailable', `Zendesk ${action}: no response`, {
      vendor: 'zendesk',
      cause: error,
    });
  }
  return error;
}

/** A 2xx whose body is not what Zendesk documents: the API changed, or a proxy answered. */
export function unexpectedAnswer(action: string, cause: unknown): ConnectorError {
  return new ConnectorError('unavailable', `Zendesk ${action}: unexpected answer`, {
    vendor: 'zendesk',
    cause,
  });
}
