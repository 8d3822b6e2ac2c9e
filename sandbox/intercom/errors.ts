import { randomUUID } from 'node:crypto';
import type { Response } from 'express';

export interface ApiError {
  code: string;
  message: string;
  field?: string;
}

/** Every Intercom failure: `{ type: 'error.list', request_id, errors: [{ code, message }] }`. */
export function fail(res: Response, status: number, ...errors: ApiError[]): void {
  res.status(status).json({ type: 'error.list', request_id: randomUUID(), errors });
}
export const notFound = (res: Response, message = 'Resource Not Found') =>
  fail(res, 404, { code: 'not_found', message });
export const invalid = (res: Response, message: string, field?: string) =>
  fail(res, 400, { code: 'parameter_invalid', message, ...(field ? { field } : {}) });

/** The faults middleware's bodies (POST /_sandbox/faults with vendor "intercom"). */
export function errorBody(status: number): unknown {
  const [code, message] =
    status === 429
      ? ['rate_limit_exceeded', 'Exceeded rate limit']
      : status === 401
        ? ['unauthorized', 'Access Token Invalid']
        : status === 404
          ? ['not_found', 'Resource Not Found']
          : status === 503
            ? ['service_unavailable', 'Service Unavailable']
            : status >= 500
              ? ['server_error', 'Server Error']
              : ['bad_request', 'Bad Request'];
  return { type: 'error.list', request_id: null, errors: [{ code, message }] };
}
