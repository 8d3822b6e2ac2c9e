import type { RequestHandler } from 'express';
import express from 'express';
import type { IntercomEmitter } from './emit.js';
import { serializeConversation, serializeTicket } from './serialize.js';
import type { StateCategory, Workspace } from './store.js';

/** /_sandbox/intercom/...: what a teammate does in the Intercom inbox, notifying townhall. */
export function agentRoutes(ws: Workspace, emitter: IntercomEmitter) {
  const router = express.Router();

  const agentReply = (kind: 'ticket' | 'conversation'): RequestHandler => {
    return async (req, res) => {
      const body = (req.body ?? {}) as { body?: unknown; message_type?: unknown };
      const text = typeof body.body === 'string' ? body.body : '';
      const messageType = body.message_type === 'note' ? 'note' : 'comment';
      if (!text.trim()) {
        res.status(400).json({ error: 'body must hold the reply, e.g. {"body":"<p>Fixed</p>"}' });
        return;
      }
      const id = String(req.params.id);
      const ticket = kind === 'ticket' ? ws.tickets.get(id) : undefined;
      const conversation = kind === 'conversation' ? ws.conversations.get(id) : undefined;
      const target = ticket ?? conversation;
      if (!target) {
        res.status(404).json({ error: `no ${kind} ${id}` });
        return;
      }
      const agent = ws.agent();
      const part = ws.addPart(target, {
        partType: messageType,
        body: text,
        author: { type: 'admin', id: agent.id, name: agent.name, email: agent.email },
      });
      // Notes are internal: Intercom sends no *.admin.replied for them.
      let delivery = null;
      if (messageType === 'comment' && ticket)
        delivery = await emitter.emit('ticket.admin.replied', serializeTicket(ws, ticket));
      if (messageType === 'comment' && conversation)
        delivery = await emitter.emit(
          'conversation.admin.replied',
          serializeConversation(ws, conversation),
        );
      res.json({ part: { id: part.id, part_type: part.partType }, delivery });
    };
  };

  router.post('/_sandbox/intercom/tickets/:id/reply', express.json(), agentReply('ticket'));
  router.post(
    '/_sandbox/intercom/conversations/:id/reply',
    express.json(),
    agentReply('conversation'),
  );

  /**
   * `close`, `snooze` (for an hour) or `open` a conversation, as a teammate does in the inbox.
   * townhall subscribes to no conversation state topic, so no webhook is sent: it reads the
   * state (GET /conversations/{id}) when it needs it.
   */
  router.post('/_sandbox/intercom/conversations/:id/:action', (req, res) => {
    const actions = { close: 'closed', snooze: 'snoozed', open: 'open' } as const;
    const action = String(req.params.action);
    const state = action in actions ? actions[action as keyof typeof actions] : undefined;
    const conversation = ws.conversations.get(String(req.params.id));
    if (!state || !conversation) {
      res.status(404).json({ error: 'use POST /_sandbox/intercom/conversations/<id>/close' });
      return;
    }
    if (conversation.state !== state) {
      const agent = ws.agent();
      conversation.state = state;
      conversation.snoozedUntil = state === 'snoozed' ? Math.floor(Date.now() / 1000) + 3600 : null;
      ws.addPart(conversation, {
        partType: action === 'close' ? 'close' : action === 'snooze' ? 'snoozed' : 'open',
        body: null,
        author: { type: 'admin', id: agent.id, name: agent.name, email: agent.email },
      });
    }
    res.json(serializeConversation(ws, conversation));
  });

  /** Moves the ticket to its type's first state in a category and notifies townhall. */
  router.post('/_sandbox/intercom/tickets/:id/:action', express.json(), async (req, res) => {
    const categories: Record<string, StateCategory> = {
      resolve: 'resolved',
      reopen: 'in_progress',
      wait: 'waiting_on_customer',
    };
    const category = categories[String(req.params.action)];
    const ticket = ws.tickets.get(String(req.params.id));
    if (!category || !ticket) {
      res.status(404).json({ error: 'use POST /_sandbox/intercom/tickets/<id>/resolve' });
      return;
    }
    const previous = ws.stateOf(ticket);
    const target = ws.ticketTypes.get(ticket.typeId)!.states.find((s) => s.category === category)!;
    if (previous.id === target.id) {
      res.json({ ticket: serializeTicket(ws, ticket), delivery: null });
      return;
    }
    ticket.stateId = target.id;
    const agent = ws.agent();
    ws.addPart(ticket, {
      partType: 'ticket_state_updated_by_admin',
      body: null,
      author: { type: 'admin', id: agent.id, name: agent.name, email: agent.email },
      previousState: previous.category,
      state: target.category,
    });
    const delivery = await emitter.emit('ticket.state.updated', serializeTicket(ws, ticket));
    res.json({ ticket: serializeTicket(ws, ticket), delivery });
  });

  return router;
}
