import type { RequestHandler } from 'express';
import express from 'express';
import { setConversationState } from './conversations.js';
import type { IntercomEmitter } from './emit.js';
import { partTopic } from './emit.js';
import { serializeConversation, serializeTicket } from './serialize.js';
import type { StateCategory, Workspace } from './store.js';

/**
 * /_sandbox/intercom/...: what a teammate does in the Intercom inbox, notifying townhall.
 *
 * - tickets/:id/reply, conversations/:id/reply `{ body, message_type? }`: a public reply
 *   (`comment`, the default) or a `note`
 * - tickets/:id/note, conversations/:id/note `{ body }`: an internal note
 * - tickets/:id/resolve, /wait, /reopen: the ticket's state (a webhook each)
 * - conversations/:id/close, /snooze, /open (or /reopen): the conversation's state (no webhook)
 */
export function agentRoutes(ws: Workspace, emitter: IntercomEmitter) {
  const router = express.Router();

  const agentPart = (kind: 'ticket' | 'conversation', fixed?: 'note'): RequestHandler => {
    return async (req, res) => {
      const body = (req.body ?? {}) as { body?: unknown; message_type?: unknown };
      const text = typeof body.body === 'string' ? body.body : '';
      const messageType = fixed ?? (body.message_type === 'note' ? 'note' : 'comment');
      if (!text.trim()) {
        res.status(400).json({ error: 'body must hold the text, e.g. {"body":"<p>Fixed</p>"}' });
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
      // Replies and notes each have their topic (ticket.note.created, conversation.admin.noted).
      const topic = partTopic(kind, part);
      const item = ticket ? serializeTicket(ws, ticket) : serializeConversation(ws, conversation!);
      const delivery = topic ? await emitter.emit(topic, item) : null;
      res.json({ part: { id: part.id, part_type: part.partType }, delivery });
    };
  };

  router.post('/_sandbox/intercom/tickets/:id/reply', express.json(), agentPart('ticket'));
  router.post('/_sandbox/intercom/tickets/:id/note', express.json(), agentPart('ticket', 'note'));
  router.post(
    '/_sandbox/intercom/conversations/:id/reply',
    express.json(),
    agentPart('conversation'),
  );
  router.post(
    '/_sandbox/intercom/conversations/:id/note',
    express.json(),
    agentPart('conversation', 'note'),
  );

  /**
   * `close`, `snooze` (for an hour) or `open` (`reopen`) a conversation, as a teammate does in
   * the inbox. townhall subscribes to no conversation state topic, so no webhook is sent: it
   * reads the state (GET /conversations/{id}) when it needs it.
   */
  router.post('/_sandbox/intercom/conversations/:id/:action', (req, res) => {
    const actions = { close: 'closed', snooze: 'snoozed', open: 'open', reopen: 'open' } as const;
    const action = String(req.params.action);
    const state = Object.hasOwn(actions, action)
      ? actions[action as keyof typeof actions]
      : undefined;
    const conversation = ws.conversations.get(String(req.params.id));
    if (!state || !conversation) {
      res.status(404).json({ error: 'use POST /_sandbox/intercom/conversations/<id>/close' });
      return;
    }
    setConversationState(ws, conversation, state, ws.agent());
    res.json(serializeConversation(ws, conversation));
  });

  /** Moves the ticket to its type's first state in a category and notifies townhall. */
  router.post('/_sandbox/intercom/tickets/:id/:action', express.json(), async (req, res) => {
    const categories: Record<string, StateCategory> = {
      resolve: 'resolved',
      reopen: 'in_progress',
      wait: 'waiting_on_customer',
    };
    const action = String(req.params.action);
    const category = Object.hasOwn(categories, action) ? categories[action] : undefined;
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
