/**
 * Intercom's search query language (POST /contacts/search, /tickets/search,
 * /conversations/search): single filters `{field, operator, value}` combined with AND/OR, at
 * most two levels deep and 15 filters a group, paged with `starting_after` cursors.
 */

interface Single {
  field?: string;
  operator?: string;
  value?: unknown;
}
interface Multiple {
  operator: 'AND' | 'OR';
  value: Query[];
}
type Query = Single | Multiple;

/** What the emulator answers when a query names a field the object does not have. */
export class SearchError extends Error {
  constructor(
    readonly code: 'invalid_field' | 'parameter_invalid',
    message: string,
  ) {
    super(message);
  }
}

/** A field's value on a record: words are matched one by one (source.body), arrays by any. */
export type FieldValue =
  string | number | boolean | null | undefined | string[] | { words: string };

export type Reader<T> = (record: T, field: string) => FieldValue;

const isMultiple = (query: Query): query is Multiple =>
  (query.operator === 'AND' || query.operator === 'OR') && Array.isArray(query.value);

const text = (value: unknown) => String(value).toLowerCase();

function compare(actual: FieldValue, operator: string, expected: unknown): boolean {
  if (Array.isArray(actual)) return actual.some((item) => compare(item, operator, expected));
  if (actual !== null && typeof actual === 'object') {
    const words = actual.words.toLowerCase().split(/[^a-z0-9]+/);
    if (operator === '=') return words.includes(text(expected));
    if (operator === '!=') return !words.includes(text(expected));
    return compare(actual.words, operator, expected);
  }
  switch (operator) {
    case '=':
      return actual !== undefined && actual !== null && text(actual) === text(expected);
    case '!=':
      return actual === undefined || actual === null || text(actual) !== text(expected);
    case 'IN':
      return Array.isArray(expected) && expected.some((item) => compare(actual, '=', item));
    case 'NIN':
      return Array.isArray(expected) && !expected.some((item) => compare(actual, '=', item));
    case '~':
      return typeof actual === 'string' && text(actual).includes(text(expected));
    case '!~':
      return typeof actual !== 'string' || !text(actual).includes(text(expected));
    case '^':
      return typeof actual === 'string' && text(actual).startsWith(text(expected));
    case '$':
      return typeof actual === 'string' && text(actual).endsWith(text(expected));
    case '<':
    case '<=':
      return typeof actual === 'number' && actual <= Number(expected);
    case '>':
    case '>=':
      return typeof actual === 'number' && actual >= Number(expected);
    default:
      return false;
  }
}

/** Checks the query against the object's searchable fields and returns its predicate. */
export function compileQuery<T>(
  query: unknown,
  read: Reader<T>,
  known: (field: string) => boolean,
): (record: T) => boolean {
  function compile(node: Query, depth: number): (record: T) => boolean {
    if (isMultiple(node)) {
      if (depth >= 2) throw new SearchError('parameter_invalid', 'Nesting is limited to 2 levels');
      if (node.value.length > 15)
        throw new SearchError('parameter_invalid', 'A group holds at most 15 filters');
      const parts = node.value.map((child) => compile(child, depth + 1));
      return node.operator === 'AND'
        ? (record) => parts.every((part) => part(record))
        : (record) => parts.some((part) => part(record));
    }
    const { field, operator, value } = node;
    if (typeof field !== 'string' || typeof operator !== 'string')
      throw new SearchError('parameter_invalid', 'A filter needs a field and an operator');
    if (!known(field)) throw new SearchError('invalid_field', `${field} is not a searchable field`);
    return (record) => compare(read(record, field), operator, value);
  }
  return compile(query as Query, 0);
}

/** One page of results, with the `pages` object and a cursor when more remain. */
export function page<T>(items: T[], pagination: unknown, defaultPerPage: number) {
  const { per_page, starting_after } = (pagination ?? {}) as {
    per_page?: number;
    starting_after?: string | null;
  };
  const perPage = Math.min(Math.max(per_page ?? defaultPerPage, 1), 150);
  const offset = starting_after ? Number(Buffer.from(starting_after, 'base64url').toString()) : 0;
  const start = Number.isFinite(offset) && offset > 0 ? offset : 0;
  const slice = items.slice(start, start + perPage);
  const end = start + slice.length;
  return {
    slice,
    total: items.length,
    pages: {
      type: 'pages',
      page: Math.floor(start / perPage) + 1,
      per_page: perPage,
      total_pages: Math.max(1, Math.ceil(items.length / perPage)),
      ...(end < items.length
        ? {
            next: {
              per_page: perPage,
              starting_after: Buffer.from(String(end)).toString('base64url'),
            },
          }
        : {}),
    },
  };
}
