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
