import { ConnectorError, codeForStatus, parseRetryAfter } from '../errors.js';
import type { ConnectorErrorCode } from '../errors.js';
import { withoutEmails } from '../redact.js';

/**
 * An answer of 400 or more, as the transport (sdk.ts) hands it over before jsforce reads it:
 * jsforce's own errors carry the errorCode but lose the status and the headers, which the
 * mapping below needs. Deliberately without an `errorCode` field: jsforce turns errors that
 * have one into per-record results in some calls, and these must reach townhall as thrown.
 */
export class SalesforceHttpError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
    this.name = 'SalesforceHttpError';
  }

  /** The REST API's error body: `[{ message, errorCode, fields }]`; the first entry's code. */
  get apiErrorCode(): string | undefined {
    return apiErrors(this.body)[0]?.errorCode;
  }

  /** The OAuth token endpoint's error body: `{ error, error_description }`. */
  get oauthError(): string | undefined {
    const parsed = parse(this.body);
    return isRecord(parsed) && typeof parsed.error === 'string' ? parsed.error : undefined;
  }
}

/** One entry of a REST error body, or of a record's `errors` in sObject Collections results. */
export interface ApiError {
  errorCode: string;
  message: string;
  fields?: string[] | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The entries of an error body. Collections results name the code `statusCode`, REST answers
 * `errorCode`: both are read.
 */
export function apiErrors(body: unknown): ApiError[] {
  const value = typeof body === 'string' ? parse(body) : body;
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((entry) => ({
    errorCode:
      typeof entry.errorCode === 'string'
        ? entry.errorCode
        : typeof entry.statusCode === 'string'
          ? entry.statusCode
          : 'UNKNOWN',
    message: typeof entry.message === 'string' ? entry.message : '',
    fields: Array.isArray(entry.fields) ? entry.fields.map(String) : undefined,
  }));
}

/**
 * Per-record error codes worth another try: the row was locked by another transaction, or the
 * server failed on that record. Every other code (INVALID_EMAIL_ADDRESS, INVALID_FIELD,
 * STRING_TOO_LONG, DUPLICATE_VALUE, REQUIRED_FIELD_MISSING ...) fails the same way again.
 */
const RETRYABLE_RECORD_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_LOCK_ROW',
  'UNKNOWN_EXCEPTION',
  'REQUEST_RUNNING_TOO_LONG',
  'SERVER_UNAVAILABLE',
]);

export const isRetryableRecordError = (code: string): boolean => RETRYABLE_RECORD_CODES.has(code);

/** `CODE: message` for each error, addresses masked: Salesforce quotes the values it refused. */
export function describeErrors(errors: readonly ApiError[]): string {
  if (errors.length === 0) return 'Salesforce gave no reason';
  return errors
    .map((error) =>
      withoutEmails(error.message ? `${error.errorCode}: ${error.message}` : error.errorCode),
    )
    .join('; ');
}

/**
 * The daily API allocation is counted over a rolling 24 hours and Salesforce does not say when
 * enough calls age out of the window. Fifteen minutes lets a meaningful share of yesterday's
 * calls age out without leaving a sync idle for hours, and a retry costs one call.
 */
export const DAILY_LIMIT_WAIT_MS = 15 * 60_000;
/**
 * REQUEST_LIMIT_EXCEEDED while the daily usage is under the allocation is the limit on
 * concurrent long-running requests (25 in production orgs), which frees up within seconds.
 */
export const CONCURRENT_LIMIT_WAIT_MS = 30_000;
/** A 429 without Retry-After. */
const TOO_MANY_REQUESTS_WAIT_MS = 60_000;

/** `api-usage=N/M` of Sforce-Limit-Info, or undefined. */
export function parseApiUsage(
  header: string | undefined,
): { used: number; max: number } | undefined {
  const match = header ? /api-usage=(\d+)\/(\d+)/.exec(header) : null;
  return match ? { used: Number(match[1]), max: Number(match[2]) } : undefined;
}

const HINT: Record<string, string> = {
  auth: 'check connectors.salesforce.clientId and clientSecret (client credentials flow enabled on the app, with a Run As user) or username and privateKey (JWT bearer flow: the certificate uploaded to the app, the user pre-authorized), and loginUrl',
};

/**
 * Maps anything a Salesforce call throws to a ConnectorError: by HTTP status and Salesforce's
 * errorCode (or the OAuth `error`), never by message text.
 */
export function salesforceError(error: unknown, action: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const vendor = 'salesforce';
  if (!(error instanceof SalesforceHttpError)) {
    const code = (error as { errorCode?: unknown } | undefined)?.errorCode;
    // jsforce's own errors carry Salesforce's code but no status: a 300 (several records match
    // an external id) is the one that reaches here, as are failures with no answer at all.
    if (code === 'MULTIPLE_CHOICES')
      return new ConnectorError('conflict', `Salesforce ${action}: several records match`, {
        vendor,
        status: 300,
        cause: error,
      });
    return new ConnectorError('unavailable', `Salesforce ${action}: no response`, {
      vendor,
      cause: error,
    });
  }
  const { status } = error;
  const errorCode = error.apiErrorCode ?? error.oauthError;
  const retryAfter = parseRetryAfter(error.headers['retry-after']);
  let code: ConnectorErrorCode = codeForStatus(status);
  let retryAfterMs: number | undefined = status >= 500 ? retryAfter : undefined;
  if (status === 429) {
    code = 'rate_limited';
    retryAfterMs = retryAfter ?? TOO_MANY_REQUESTS_WAIT_MS;
  } else if (errorCode === 'REQUEST_LIMIT_EXCEEDED') {
    code = 'rate_limited';
    const usage = parseApiUsage(error.headers['sforce-limit-info']);
    retryAfterMs =
      retryAfter ??
      (usage && usage.used < usage.max ? CONCURRENT_LIMIT_WAIT_MS : DAILY_LIMIT_WAIT_MS);
  } else if (status === 400 && error.oauthError !== undefined) {
    // The token endpoint answers 400 for refused credentials (invalid_client, invalid_grant).
    code = 'auth';
  }
  const hint = code === 'auth' ? `: ${HINT.auth}` : '';
  return new ConnectorError(
    code,
    `Salesforce ${action} failed: HTTP ${status}${errorCode ? ` ${errorCode}` : ''}${hint}`,
    { vendor, status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), cause: error },
  );
}

/** True for the answer that means "sign in again": 401 INVALID_SESSION_ID. */
export function isInvalidSession(error: unknown): boolean {
  return (
    error instanceof SalesforceHttpError &&
    error.status === 401 &&
    error.apiErrorCode === 'INVALID_SESSION_ID'
  );
}
