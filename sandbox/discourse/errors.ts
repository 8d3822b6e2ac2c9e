import type { RequestHandler, Response } from 'express';

/** Discourse's failures, in the shapes its controllers render them. */

/** render_json_error: `{ errors: [...], error_type }`, the shape of every Discourse failure. */
export function fail(res: Response, status: number, errors: string[], type?: string): void {
  res.status(status).json({ errors, ...(type ? { error_type: type } : {}) });
}
export const notFound = (res: Response) =>
  fail(res, 404, ['The requested URL or resource could not be found.'], 'not_found');
export const invalidAccess = (res: Response) =>
  fail(res, 403, ['You are not permitted to view the requested resource.'], 'invalid_access');
/** Discourse::InvalidParameters and ParameterMissing are 400s (ApplicationController). */
export const invalidParameters = (res: Response, problems: string[]) =>
  fail(
    res,
    400,
    [`You supplied invalid parameters to the request: ${problems.join(', ')}`],
    'invalid_parameters',
  );
/** PostCreator validation failures: 422 with NewPostResultSerializer's `action`. */
export const createPostFailed = (res: Response, errors: string[]) =>
  res.status(422).json({ action: 'create_post', errors });

/** RateLimiter::LimitExceeded's body; the wait is filled in from the fault's Retry-After. */
export function errorBody(status: number): unknown {
  if (status === 429)
    return {
      errors: ['You’ve performed this action too many times. Please wait before trying again.'],
      error_type: 'rate_limit',
      extras: { wait_seconds: 0, time_left: '0 seconds' },
    };
  if (status >= 500)
    return { errors: ['Oops! Something went wrong on our end.'], error_type: 'server_error' };
  return { errors: [`HTTP ${status}`] };
}

/** Copies the fault's Retry-After into extras.wait_seconds, as Discourse sends both. */
export const rateLimitWait: RequestHandler = (_req, res, next) => {
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    const wait = Number(res.getHeader('retry-after'));
    const extras = (body as { extras?: { wait_seconds?: number; time_left?: string } } | null)
      ?.extras;
    if (res.statusCode === 429 && extras && Number.isFinite(wait)) {
      extras.wait_seconds = wait;
      extras.time_left = `${wait} seconds`;
    }
    return json(body);
  };
  next();
};
