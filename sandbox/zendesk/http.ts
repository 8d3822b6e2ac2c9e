import type { Request, Response } from 'express';

/** Zendesk's HTTP conventions: error bodies, pagination, search syntax, field checks. */

export const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export type Json = Record<string, unknown>;
export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
export const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
export const intParam = (value: unknown) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;

/** Zendesk's error bodies: `{ error, description }`, plus `details` for validation errors. */
export function fail(
  res: Response,
  status: number,
  error: string,
  description: string,
  details?: Json,
) {
  res.status(status).json({ error, description, ...(details ? { details } : {}) });
}
export const notFound = (res: Response) => fail(res, 404, 'RecordNotFound', 'Not found');
export const recordInvalid = (res: Response, details: Json) =>
  fail(res, 422, 'RecordInvalid', 'Record validation errors', details);
export const blank = (field: 'Description' | 'Subject') => ({
  description: `${field}: cannot be blank`,
  error: 'BlankValue',
  ticket_field_type: `Field${field}`,
});

/** Bodies for the shared faults (POST /_sandbox/faults with vendor "zendesk"). */
export function faultBody(status: number): unknown {
  if (status === 429)
    return {
      error: 'APIRateLimitExceeded',
      description: 'Number of allowed API requests per minute exceeded',
    };
  if (status === 503)
    return { error: 'ServiceUnavailable', description: 'Service temporarily unavailable' };
  if (status >= 500) return { error: 'InternalError', description: 'Internal server error' };
  return { error: 'Error', description: `HTTP ${status}` };
}

export const baseOf = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}`;

/**
 * Cursor pagination when the client asks for it (`page[size]`, as node-zendesk does for ticket
 * lists), else offset pagination (`page`, `per_page`), with Zendesk's links and counts.
 */
export function paginate<T>(
  req: Request,
  items: T[],
  key: string,
  render: (item: T) => unknown,
): Json {
  const url = new URL(req.originalUrl, baseOf(req));
  const size = Number(req.query['page[size]']);
  if (Number.isFinite(size) && size > 0) {
    const limit = Math.min(100, Math.floor(size));
    const after = text(req.query['page[after]']);
    const start = after ? Number(Buffer.from(after, 'base64url').toString()) || 0 : 0;
    const page = items.slice(start, start + limit);
    const hasMore = start + limit < items.length;
    const cursor = Buffer.from(String(start + limit)).toString('base64url');
    if (hasMore) url.searchParams.set('page[after]', cursor);
    return {
      [key]: page.map(render),
      meta: { has_more: hasMore, after_cursor: hasMore ? cursor : null, before_cursor: null },
      links: { prev: null, next: hasMore ? url.toString() : null },
    };
  }
  const perPage = Math.min(100, Number(req.query.per_page) || 100);
  const pageNumber = Math.max(1, Number(req.query.page) || 1);
  const page = items.slice((pageNumber - 1) * perPage, pageNumber * perPage);
  const link = (n: number) => {
    url.searchParams.set('page', String(n));
    return url.toString();
  };
  return {
    [key]: page.map(render),
    next_page: pageNumber * perPage < items.length ? link(pageNumber + 1) : null,
    previous_page: pageNumber > 1 ? link(pageNumber - 1) : null,
    count: items.length,
  };
}

/** `type:ticket external_id:abc status:open word`: the subset of Zendesk's search syntax used. */
export function parseQuery(query: string) {
  const terms = new Map<string, string>();
  const words: string[] = [];
  for (const match of query.matchAll(/(\w+):("([^"]*)"|\S+)|("([^"]*)"|\S+)/g)) {
    if (match[1]) terms.set(match[1].toLowerCase(), match[3] ?? match[2]!);
    else words.push((match[5] ?? match[4]!).toLowerCase());
  }
  return { terms, words };
}
