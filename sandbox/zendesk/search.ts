import express from 'express';
import type { Json } from './http.js';
import { baseOf, fail, paginate, parseQuery, text } from './http.js';
import type { Desk } from './store.js';
import { serializeTicket, serializeUser } from './store.js';

/** GET /search.json: an index. Zendesk's lags new records; this one does not. */
export function searchRoutes(desk: Desk) {
  const api = express.Router();

  api.get('/search.json', (req, res) => {
    const query = text(req.query.query);
    if (!query) return fail(res, 400, 'InvalidSearchQuery', 'query is required');
    const { terms, words } = parseQuery(query);
    const type = terms.get('type') ?? 'ticket';
    const matchesWords = (haystack: string) =>
      words.every((word) => haystack.toLowerCase().includes(word));
    let results: Json[] = [];
    if (type === 'ticket') {
      const requester = terms.get('requester');
      results = desk
        .liveTickets()
        .filter(
          (ticket) =>
            (!terms.has('external_id') || ticket.externalId === terms.get('external_id')) &&
            (!terms.has('status') || ticket.status === terms.get('status')) &&
            (!terms.has('tags') || ticket.tags.includes(terms.get('tags')!)) &&
            (!requester || desk.users.get(ticket.requesterId)?.email === requester.toLowerCase()) &&
            matchesWords(`${ticket.subject} ${ticket.description}`),
        )
        .map((ticket) => ({ ...serializeTicket(baseOf(req), ticket), result_type: 'ticket' }));
    } else if (type === 'user') {
      results = desk
        .activeUsers()
        .filter(
          (user) =>
            (!terms.has('email') || user.email === terms.get('email')!.toLowerCase()) &&
            (!terms.has('external_id') || user.externalId === terms.get('external_id')) &&
            matchesWords(`${user.name} ${user.email ?? ''}`),
        )
        .map((user) => ({ ...serializeUser(baseOf(req), user), result_type: 'user' }));
    }
    res.json({ ...paginate(req, results, 'results', (r) => r), facets: null });
  });

  return api;
}
