import { withoutEmails } from '../redact.js';
/**
 * HubSpot's batch endpoints answer 200 when every input succeeded and 207 Multi-Status when some
 * failed: `results` for the good inputs, `errors` (StandardError: status, category, message,
 * context, errors[]) for the bad ones, where `context.ids` names the inputs an error is about.
 * @hubspot/api-client 13 returns a 207 body like a 200 one (BatchResponse...WithErrors); an SDK
 * that threw on 207 would put the same body on the exception, so both paths come here.
 */
export interface BatchErrorDetail {
  message: string;
  code?: string | undefined;
  /** The property the detail is about, on the wire; the SDK deserializes it as `_in`. */
  in?: string | undefined;
  _in?: string | undefined;
  context?: Record<string, string[]> | undefined;
}

export interface BatchError {
  status?: string | undefined;
  category: string;
  message: string;
  context?: Record<string, string[]> | undefined;
  errors?: BatchErrorDetail[] | undefined;
}

export interface BatchBody<R> {
  results?: R[] | undefined;
  errors?: BatchError[] | undefined;
}

/** True when `value` looks like a batch response body (a 200/207 one, or one on a 207 error). */
export function isBatchBody(value: unknown): value is BatchBody<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const { results, errors } = value as Record<string, unknown>;
  return Array.isArray(results) && (errors === undefined || Array.isArray(errors));
}

/** `CATEGORY: message (CODE: detail; ...)`, email addresses masked: HubSpot quotes the values. */
export function describeError(error: BatchError): string {
  const details = (error.errors ?? [])
    .map((detail) => (detail.code ? `${detail.code}: ${detail.message}` : detail.message))
    .join('; ');
  return withoutEmails(`${error.category}: ${error.message}${details ? ` (${details})` : ''}`);
}

/**
 * Which inputs each error is about, keyed by the normalized input id. Errors without
 * `context.ids` belong to every input that got no result (`unmatched`).
 */
export function failuresById(
  errors: readonly BatchError[],
  unmatched: readonly string[],
  normalize: (id: string) => string,
): Map<string, BatchError> {
  const failures = new Map<string, BatchError>();
  const anonymous: BatchError[] = [];
  for (const error of errors) {
    const ids = error.context?.ids ?? [];
    if (ids.length === 0) anonymous.push(error);
    for (const id of ids) failures.set(normalize(id), error);
  }
  const fallback = anonymous[0];
  if (fallback) for (const id of unmatched) if (!failures.has(id)) failures.set(id, fallback);
  return failures;
}

/**
 * Whether a record HubSpot did not write is worth another try, from its error's category and
 * code only (never its message, which is for people and may change):
 *
 * | category                                   | code                | retryable |
 * | ------------------------------------------ | ------------------- | --------- |
 * | VALIDATION_ERROR                           | any (INVALID_EMAIL, INVALID_OPTION, PROPERTY_DOESNT_EXIST, READ_ONLY_VALUE, INVALID_DATE, a unique value taken ...) | no |
 * | OBJECT_ALREADY_EXISTS                      | any (CONTACT_EXISTS) | no        |
 * | CONFLICT                                   | CONTACT_EXISTS, OBJECT_ALREADY_EXISTS | no |
 * | CONFLICT                                   | other (a concurrent write to the record) | yes |
 * | OBJECT_NOT_FOUND, INVALID_AUTHENTICATION, MISSING_SCOPES, BLOCKED_EMAIL, ... | any | no |
 * | RATE_LIMITS, INTERNAL_ERROR, TIMEOUT, SERVICE_UNAVAILABLE, LOCKED | any | yes |
 * | no error for the record (neither a result nor an error came back) | - | yes |
 *
 * A category HubSpot has not documented is not retried: the record is reported, not looped on.
 */
const RETRYABLE_CATEGORIES = new Set([
  'RATE_LIMITS',
  'INTERNAL_ERROR',
  'TIMEOUT',
  'SERVICE_UNAVAILABLE',
  'LOCKED',
  'CONFLICT',
]);
/** Codes that make a conflict permanent: another record holds the value, retrying changes nothing. */
const DUPLICATE_CODES = new Set(['CONTACT_EXISTS', 'OBJECT_ALREADY_EXISTS']);

export function isRetryable(failure: { category?: string | undefined; code?: string | undefined }) {
  if (failure.category === undefined) return true;
  if (failure.code !== undefined && DUPLICATE_CODES.has(failure.code)) return false;
  return RETRYABLE_CATEGORIES.has(failure.category);
}
