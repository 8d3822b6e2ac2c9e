import { randomUUID } from 'node:crypto';
import type { Response } from 'express';

/** HubSpot's error categories by status, for answers that have no more specific one. */
export const CATEGORY: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'INVALID_AUTHENTICATION',
  403: 'MISSING_SCOPES',
  404: 'OBJECT_NOT_FOUND',
  409: 'CONFLICT',
  429: 'RATE_LIMITS',
};

/** One problem with one property value (what HubSpot lists in "Property values were not valid"). */
export interface ValueProblem {
  name: string;
  /** HubSpot's code: PROPERTY_DOESNT_EXIST, INVALID_EMAIL, INVALID_OPTION ... */
  error: string;
  message: string;
}

/** The error body of every failed HubSpot call: status, message, correlationId, category. */
export function errorBody(
  category: string,
  message: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

export function sendError(
  res: Response,
  status: number,
  category: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  res.status(status).json(errorBody(category, message, extra));
}

/** HubSpot's wording for rejected values: the JSON list of problems inside the message. */
export function invalidValuesMessage(problems: readonly ValueProblem[]): string {
  return `Property values were not valid: ${JSON.stringify(
    problems.map((p) => ({ isValid: false, message: p.message, error: p.error, name: p.name })),
  )}`;
}

/** `errors[]` entries (ErrorDetail: message, code, in, context) for value problems. */
export function errorDetails(problems: readonly ValueProblem[]) {
  return problems.map((p) => ({
    message: p.message,
    code: p.error,
    in: p.name,
    context: { propertyName: [p.name] },
  }));
}

/** 400 for a single-object write with bad values. */
export function sendInvalidValues(res: Response, problems: readonly ValueProblem[]): void {
  sendError(res, 400, 'VALIDATION_ERROR', invalidValuesMessage(problems), {
    errors: errorDetails(problems),
  });
}

/**
 * A StandardError inside a batch response (207): which inputs it is about in `context.ids`,
 * the individual problems in `errors`.
 */
export function batchError(
  category: string,
  message: string,
  ids: readonly string[],
  problems: readonly ValueProblem[] = [],
) {
  return {
    status: 'error',
    category,
    message,
    context: { ids: [...ids] },
    errors: errorDetails(problems),
    links: {},
  };
}
