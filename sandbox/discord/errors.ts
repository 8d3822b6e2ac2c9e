import type { Response } from 'express';
import { rateLimitBody } from './ratelimit.js';
import type { FormErrors } from './spec.js';

/** Discord's error body: `{ message, code }`, plus `errors` for Invalid Form Body. */
export function fail(
  res: Response,
  status: number,
  code: number,
  message: string,
  errors?: FormErrors,
) {
  res.status(status).json({ message, code, ...(errors ? { errors } : {}) });
}
export const invalidForm = (res: Response, errors: FormErrors) =>
  fail(res, 400, 50035, 'Invalid Form Body', errors);

/** The body for a fault's status, as Discord would send it; 429s are completed downstream. */
export function discordErrorBody(global: boolean) {
  return (status: number): unknown => {
    if (status === 429) return rateLimitBody(0, global);
    if (status === 401) return { message: '401: Unauthorized', code: 0 };
    if (status === 403) return { message: 'Missing Permissions', code: 50013 };
    if (status === 404) return { message: '404: Not Found', code: 0 };
    if (status >= 500) return { message: `${status}: Internal Server Error`, code: 0 };
    return { message: `${status}: Bad Request`, code: 0 };
  };
}
