import type { Response } from 'express';

/** Reddit's failures, in the shapes its API gives them. */

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** `{"message": "Unauthorized", "error": 401}`: every HTTP-level failure, faults included. */
export function errorBody(status: number) {
  return { message: REASONS[status] ?? 'Error', error: status };
}

export function fail(res: Response, status: number): void {
  res.status(status).json(errorBody(status));
}

/**
 * A form endpoint's refusal (api_type=json): still 200, the problem in json.errors as
 * `[code, message, field]` triples.
 */
export function jsonErrors(res: Response, ...errors: [string, string, string][]): void {
  res.json({ json: { errors } });
}

/** The sandbox's own routes: 400 `{ error }` naming what was wrong. */
export function badRequest(res: Response, error: string | string[]): void {
  res.status(400).json({ error });
}
