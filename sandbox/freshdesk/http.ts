import type { Response } from 'express';

/** Freshdesk's HTTP conventions: error bodies, validation entries, fault bodies. */

export type Json = Record<string, unknown>;
export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
export const intParam = (value: unknown) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;

export interface FieldError {
  field: string;
  message: string;
  code: string;
}

/** 400 Validation failed (409 for a duplicate): `{ description, errors: [{ field, message, code }] }`. */
export function validationFailed(res: Response, errors: FieldError[], status = 400) {
  res.status(status).json({ description: 'Validation failed', errors });
}
export const missing = (field: string): FieldError => ({
  field,
  message: 'It should be a/an String',
  code: 'missing_field',
});
export const invalid = (field: string, message: string): FieldError => ({
  field,
  message,
  code: 'invalid_value',
});
export const duplicate = (field: string) => ({
  field,
  message: 'It should be a unique value',
  code: 'duplicate_value',
});

/** Freshdesk answers an unknown record with 404 and no body. */
export const notFound = (res: Response) => {
  res.status(404).end();
};

/** Bodies for the shared faults (POST /_sandbox/faults with vendor "freshdesk"). */
export function faultBody(status: number): unknown {
  if (status === 429)
    return {
      code: 'rate_limit_exceeded',
      message: 'You have exceeded the limit of requests per minute',
    };
  if (status === 401)
    return {
      code: 'invalid_credentials',
      message: 'You have to be logged in to perform this action.',
    };
  if (status === 403)
    return { code: 'access_denied', message: 'You are not authorized to perform this action.' };
  if (status >= 500) return { code: 'internal_error', message: 'We are facing some issues' };
  return { description: 'Validation failed', errors: [] };
}
