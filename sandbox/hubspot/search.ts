import express from 'express';
import { sendError } from './errors.js';
import type { PropertyStore } from './property-store.js';
import type { ContactStore, SandboxContact } from './store.js';
import { text, view } from './store.js';

/** The CRM search limits (Search API reference). */
const LIMITS = { groups: 5, filtersPerGroup: 6, filters: 18, pageSize: 200, total: 10_000 };

interface Filter {
  propertyName: string;
  operator: string;
  value?: unknown;
  values?: unknown;
  highValue?: unknown;
}

const OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

/** Numbers and dates compare as numbers (dates may come as ISO text or epoch ms). */
function comparable(text: string): number {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return Date.parse(text);
}

/** String comparisons in CRM search ignore case. */
const fold = (value: unknown) => text(value).toLowerCase();

function matches(contact: SandboxContact, filter: Filter): boolean {
  const raw = contact.properties[filter.propertyName];
  const has = raw !== undefined && raw !== '';
  const value = fold(raw);
  const list = Array.isArray(filter.values) ? filter.values.map(fold) : [];
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return has;
    case 'NOT_HAS_PROPERTY':
      return !has;
    case 'EQ':
      return has && value === fold(filter.value);
    case 'NEQ':
      return value !== fold(filter.value);
    case 'IN':
      return has && list.includes(value);
    case 'NOT_IN':
      return !list.includes(value);
    case 'CONTAINS_TOKEN':
      return has && value.includes(fold(filter.value).replaceAll('*', ''));
    case 'NOT_CONTAINS_TOKEN':
      return !value.includes(fold(filter.value).replaceAll('*', ''));
    default: {
      if (!has) return false;
      const left = comparable(raw);
      const right = comparable(text(filter.value));
      if (filter.operator === 'LT') return left < right;
      if (filter.operator === 'LTE') return left <= right;
      if (filter.operator === 'GT') return left > right;
      if (filter.operator === 'GTE') return left >= right;
      return left >= right && left <= comparable(text(filter.highValue));
    }
  }
}

/** Why a search body would be refused, or undefined. */
function searchProblem(
  properties: PropertyStore,
  groups: { filters?: unknown }[],
): string | undefined {
  if (groups.length > LIMITS.groups) return `at most ${LIMITS.groups} filterGroups are allowed`;
  let total = 0;
  for (const group of groups) {
    const filters = Array.isArray(group.filters) ? (group.filters as Filter[]) : undefined;
    if (!filters) return 'every filter group needs a filters array';
    if (filters.length > LIMITS.filtersPerGroup)
      return `at most ${LIMITS.filtersPerGroup} filters are allowed in a filter group`;
    total += filters.length;
    for (const filter of filters) {
      if (!OPERATORS.has(filter.operator)) return `Unknown operator: ${String(filter.operator)}`;
      if (!properties.properties.has(filter.propertyName))
        return `Property "${String(filter.propertyName)}" does not exist`;
    }
  }
  if (total > LIMITS.filters) return `at most ${LIMITS.filters} filters are allowed in all`;
  return undefined;
}

/**
 * POST /crm/v3/objects/contacts/search: filter groups ORed, filters ANDed, results by id,
 * `limit` per page (default 10, at most 200) and `paging.next.after` while more remain.
 */
export function searchRoutes(contacts: ContactStore, properties: PropertyStore) {
  const router = express.Router();

  router.post('/crm/v3/objects/contacts/search', (req, res) => {
    const body = (req.body ?? {}) as {
      filterGroups?: unknown;
      properties?: unknown;
      limit?: unknown;
      after?: unknown;
    };
    const groups = Array.isArray(body.filterGroups)
      ? (body.filterGroups as { filters?: unknown }[])
      : [];
    const problem = searchProblem(properties, groups);
    const limit = body.limit === undefined ? 10 : Number(body.limit);
    const offset = body.after === undefined || body.after === '' ? 0 : Number(body.after);
    const pagingProblem =
      !Number.isInteger(limit) || limit < 1 || limit > LIMITS.pageSize
        ? `limit must be between 1 and ${LIMITS.pageSize}`
        : !Number.isInteger(offset) || offset < 0
          ? 'after must be the cursor from paging.next.after'
          : offset + limit > LIMITS.total
            ? `search pages through at most ${LIMITS.total} results`
            : undefined;
    if (problem ?? pagingProblem) {
      sendError(res, 400, 'VALIDATION_ERROR', (problem ?? pagingProblem)!);
      return;
    }
    const requested = Array.isArray(body.properties) ? body.properties.map(String) : [];
    const hits = contacts
      .live()
      .filter(
        (contact) =>
          groups.length === 0 ||
          groups.some((group) => (group.filters as Filter[]).every((f) => matches(contact, f))),
      )
      .sort((a, b) => Number(a.id) - Number(b.id));
    const page = hits.slice(offset, offset + limit);
    const next = offset + limit < hits.length ? String(offset + limit) : undefined;
    res.json({
      total: hits.length,
      results: page.map((contact) => view(contact, requested)),
      ...(next ? { paging: { next: { after: next, link: `?after=${next}` } } } : {}),
    });
  });

  return router;
}
