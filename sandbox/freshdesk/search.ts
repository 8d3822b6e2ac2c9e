import type { Request, Response } from 'express';
import express from 'express';
import { invalid, validationFailed } from './http.js';
import type { Desk, Ticket } from './store.js';
import { serializeTicket } from './store.js';

/**
 * Filter Tickets: GET /search/tickets?query="a:1 AND b:'text'" (the double quotes are part of the
 * value). Custom fields go by their name without `cf_`. Only AND is understood here; Freshdesk's
 * index trails writes, which `indexDelayMs` emulates: a newer ticket is not found yet.
 */
export function searchRoutes(desk: Desk, options: { indexDelayMs: () => number }) {
  const router = express.Router();

  function valueOf(ticket: Ticket, field: string): unknown {
    if (field === 'status') return ticket.status;
    if (field === 'priority') return ticket.priority;
    if (field === 'requester_id') return ticket.requesterId;
    if (field === 'tag') return ticket.tags;
    return ticket.customFields[`cf_${field}`];
  }
  const known = (field: string) =>
    ['status', 'priority', 'requester_id', 'tag'].includes(field) ||
    [...desk.tickets.values()].some((t) => `cf_${field}` in t.customFields) ||
    desk.customFields.has(`cf_${field}`);

  router.get('/search/tickets', (req: Request, res: Response) => {
    const query = typeof req.query.query === 'string' ? req.query.query : '';
    if (!/^".*"$/s.test(query) || query.length > 514)
      return validationFailed(res, [
        invalid('query', 'Query should be enclosed in double quotes and at most 512 characters'),
      ]);
    const terms: { field: string; value: string }[] = [];
    for (const part of query.slice(1, -1).split(/\s+AND\s+/)) {
      const match = /^\s*(\w+):(?:'([^']*)'|(\S+))\s*$/.exec(part);
      if (!match) return validationFailed(res, [invalid('query', `cannot read "${part}"`)]);
      if (match[1]!.startsWith('cf_') || !known(match[1]!))
        return validationFailed(res, [
          {
            field: match[1]!,
            message: 'Unexpected/invalid field in request',
            code: 'invalid_field',
          },
        ]);
      terms.push({ field: match[1]!, value: match[2] ?? match[3]! });
    }
    const indexedBefore = Date.now() - options.indexDelayMs();
    const results = [...desk.tickets.values()]
      .filter((ticket) => Date.parse(ticket.createdAt) <= indexedBefore)
      .filter((ticket) =>
        terms.every(({ field, value }) => {
          const held = valueOf(ticket, field);
          return Array.isArray(held) ? held.includes(value) : String(held) === value;
        }),
      );
    const page = Math.max(1, Number(req.query.page) || 1);
    res.json({
      results: results.slice((page - 1) * 30, page * 30).map(serializeTicket),
      total: results.length,
    });
  });

  return router;
}
