import type { Request, Response } from 'express';
import express from 'express';
import type { TicketChanges } from './changes.js';
import { STATUSES } from './changes.js';
import { intParam, isObject, notFound } from './http.js';
import type { Conversation, Desk } from './store.js';
import { serializeConversation, serializeTicket } from './store.js';
import type { FreshdeskWebhooks, RenderedEvent } from './webhooks.js';

/**
 * /_sandbox/freshdesk/tickets/:id/reply, /note, /resolve, /reopen: what a support agent does in
 * Freshdesk. The rule webhooks they cause are sent before the answer, which lists them.
 */
export function agentRoutes(desk: Desk, changes: TicketChanges, webhooks: FreshdeskWebhooks) {
  const router = express.Router();

  async function act(
    req: Request,
    res: Response,
    change: (
      ticket: NonNullable<ReturnType<Desk['tickets']['get']>>,
    ) => { events: RenderedEvent[]; conversation?: Conversation } | string,
  ) {
    const ticket = desk.tickets.get(intParam(req.params.id));
    if (!ticket) return notFound(res);
    const outcome = change(ticket);
    if (typeof outcome === 'string') {
      res.status(400).json({ error: outcome });
      return;
    }
    const deliveries = await webhooks.send(outcome.events);
    res.json({
      ticket: serializeTicket(ticket),
      conversation: outcome.conversation ? serializeConversation(outcome.conversation) : null,
      webhooks: deliveries.map(({ body: _body, ...delivery }) => delivery),
    });
  }

  const bodyText = (req: Request) =>
    isObject(req.body) && typeof req.body.body === 'string' && req.body.body.trim() !== ''
      ? req.body.body
      : undefined;

  /** `{ body, status? }`: a public reply, then the status (e.g. 3 Pending) if one is given. */
  router.post('/_sandbox/freshdesk/tickets/:id/reply', express.json(), (req, res) =>
    act(req, res, (ticket) => {
      const body = bodyText(req);
      if (!body) return 'body is required';
      const status = isObject(req.body) ? req.body.status : undefined;
      if (status !== undefined && !STATUSES.includes(status as number))
        return 'status must be 2, 3, 4 or 5';
      const reply = changes.converse(ticket, desk.agent(), {
        body,
        private: false,
        incoming: false,
        source: 0,
      });
      const moved = typeof status === 'number' ? changes.setStatus(ticket, status) : [];
      return { conversation: reply.conversation, events: [...reply.events, ...moved] };
    }),
  );

  /** `{ body }`: a private note. */
  router.post('/_sandbox/freshdesk/tickets/:id/note', express.json(), (req, res) =>
    act(req, res, (ticket) => {
      const body = bodyText(req);
      if (!body) return 'body is required';
      return changes.converse(ticket, desk.agent(), {
        body,
        private: true,
        incoming: false,
        source: 2,
      });
    }),
  );

  router.post('/_sandbox/freshdesk/tickets/:id/resolve', (req, res) =>
    act(req, res, (ticket) => ({ events: changes.setStatus(ticket, 4) })),
  );

  router.post('/_sandbox/freshdesk/tickets/:id/reopen', (req, res) =>
    act(req, res, (ticket) => ({ events: changes.setStatus(ticket, 2) })),
  );

  return router;
}
