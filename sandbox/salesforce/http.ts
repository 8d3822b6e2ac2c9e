import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';

/** One entry of Salesforce's REST error body, which is always an array of them. */
export interface SalesforceError {
  message: string;
  errorCode: string;
  fields?: string[];
}

export function sendErrors(
  res: Response,
  status: number,
  errors: readonly SalesforceError[],
): void {
  res.status(status).json(errors);
}

export function sendError(
  res: Response,
  status: number,
  errorCode: string,
  message: string,
  fields?: string[],
): void {
  sendErrors(res, status, [{ message, errorCode, ...(fields ? { fields } : {}) }]);
}

export const notFound = (res: Response) =>
  sendError(res, 404, 'NOT_FOUND', 'The requested resource does not exist');

/** The error body the sandbox's faults answer with, by status, as Salesforce words them. */
export function faultBody(status: number): SalesforceError[] {
  const [errorCode, message] =
    status === 401
      ? ['INVALID_SESSION_ID', 'Session expired or invalid']
      : status === 403 || status === 429
        ? ['REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.']
        : status === 404
          ? ['NOT_FOUND', 'The requested resource does not exist']
          : status === 503
            ? ['SERVER_UNAVAILABLE', 'Server temporarily unavailable']
            : status >= 500
              ? [
                  'UNKNOWN_EXCEPTION',
                  `An unexpected error occurred. Please include this ErrorId if you contact support: ${randomUUID()}`,
                ]
              : ['INVALID_INPUT', 'The request was refused'];
  return [{ message, errorCode }];
}

/** 18-character ids with the object's key prefix (003 Contact, 750 bulk job ...). */
export function idMaker(prefix: string) {
  let next = 1;
  return () => `${prefix}${String(next++).padStart(12, '0')}AAA`;
}

/** The REST API versions the sandbox answers: 41.0 (Bulk API 2.0) up to this release's. */
export function isApiVersion(segment: string): boolean {
  const match = /^v(\d{2})\.0$/.exec(segment);
  return match !== null && Number(match[1]) >= 41 && Number(match[1]) <= 66;
}

/** The `vXX.X` segment of a route mounted under /services/data/:version. */
export const versionOf = (req: Request): string =>
  String((req.params as Record<string, string | undefined>).version ?? '');

/** A JSON value as text: strings as they are, numbers and booleans spelled out, null empty. */
export function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
