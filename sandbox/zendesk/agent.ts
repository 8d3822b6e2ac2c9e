import type { Request, Response } from 'express';
import express from 'express';
import type { Change, TicketChanges } from './changes.js';
import type { Json } from './http.js';
import { baseOf, fail, intParam, isObject, notFound, recordInvalid, text } from './http.js';
import type { Desk } from './store.js';
import { serializeComment, serializeTicket } from './store.js';
import type { ZendeskWebhooks } from './webhooks.js';

/**
 * /_sandbox/zendesk/tickets/:id/reply, /note, /solve and /reopen: what a support agent does in
 * the Zendesk UI. The webhooks it causes are sent before the answer, which lists them.
 */
export function agentRoutes(desk: Desk, changes: TicketChanges, webhooks: ZendeskWebhooks) {
  const { apply, statusProblem } = changes;
  const router = express.Router();

  async function agentUpdate(
    req: Request,
    res: Response,
    change: Omit<Change, 'channel' | 'actor'>,
  ) {
    const ticket = desk.liveTicket(intParam(req.params.id));
    if (!ticket) return notFound(res);
    if (ticket.status === 'closed')
      return recordInvalid(res, {
        status: [{ description: 'Status closed prevents ticket update' }],
      });
    const problem = statusProblem(ticket, change.status);
    if (problem) return recordInvalid(res, problem);
    const { events, comment } = apply(ticket, { ...change, actor: desk.agent(), channel: 'web' });
    const deliveries = await webhooks.send(events);
    res.json({
      ticket: serializeTicket(baseOf(req), ticket),
      comment: comment ? serializeComment(comment) : null,
      webhooks: deliveries.map(({ body: _body, ...delivery }) => delivery),
    });
  }

  const agentComment = (body: Json) => {
    const plain = text(body.body);
    const html = text(body.html);
    if (!(plain ?? html ?? '').trim()) return undefined;
    return {
      ...(html !== undefined ? { htmlBody: html } : { body: plain ?? '' }),
      public: body.public !== false,
    };
  };

  /** `{ body | html, public?, status? }`: a reply (public by default) or an internal note. */
  router.post('/_sandbox/zendesk/tickets/:id/reply', express.json(), async (req, res) => {
    const body = isObject(req.body) ? req.body : {};
    const comment = agentComment(body);
    if (!comment) return fail(res, 400, 'InvalidReply', 'body (or html) is required');
    await agentUpdate(req, res, {
      comment,
      ...(typeof body.status === 'string' ? { status: body.status } : {}),
    });
  });

  /** `{ body | html }`: an internal note (a non-public comment), sent to townhall as such. */
  router.post('/_sandbox/zendesk/tickets/:id/note', express.json(), async (req, res) => {
    const comment = agentComment(isObject(req.body) ? req.body : {});
    if (!comment) return fail(res, 400, 'InvalidNote', 'body (or html) is required');
    await agentUpdate(req, res, { comment: { ...comment, public: false } });
  });

  /**
   * `{ body? }`: sets a pending, on-hold or solved ticket open again, with an optional public
   * reply; a closed ticket refuses (422), as in Zendesk.
   */
  router.post('/_sandbox/zendesk/tickets/:id/reopen', express.json(), async (req, res) => {
    const comment = agentComment(isObject(req.body) ? req.body : {});
    await agentUpdate(req, res, { status: 'open', ...(comment ? { comment } : {}) });
  });

  /** `{ body? }`: marks the ticket solved, with an optional public reply. */
  router.post('/_sandbox/zendesk/tickets/:id/solve', express.json(), async (req, res) => {
    const comment = agentComment(isObject(req.body) ? req.body : {});
    await agentUpdate(req, res, { status: 'solved', ...(comment ? { comment } : {}) });
  });

  return router;
}
