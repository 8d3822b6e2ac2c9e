import express from 'express';
import type { ApiContext } from './api-helpers.js';
import { searchable } from './api-helpers.js';
import type { IntercomEmitter } from './emit.js';
import { partTopic } from './emit.js';
import { fail, notFound } from './errors.js';
import type { Admin, Conversation, Workspace } from './store.js';
import { now } from './store.js';
import { serializeConversation, serializeMessage } from './serialize.js';

const CONVERSATION_FIELDS = new Set([
  'id',
  'created_at',
  'updated_at',
  'source.body',
  'contact_ids',
  'open',
  'state',
]);

/**
 * Moves a conversation to `state` as `admin` does in the inbox, with the part Intercom records;
 * the same state again changes nothing. A snooze lasts an hour unless `until` says otherwise.
 */
export function setConversationState(
  ws: Workspace,
  conversation: Conversation,
  state: Conversation['state'],
  admin: Admin,
  until?: number,
) {
  if (conversation.state === state) return;
  conversation.state = state;
  conversation.snoozedUntil = state === 'snoozed' ? (until ?? now() + 3600) : null;
  ws.addPart(conversation, {
    partType: state === 'closed' ? 'close' : state,
    body: null,
    author: { type: 'admin', id: admin.id, name: admin.name, email: admin.email },
  });
}

/** Conversations: start one for a contact, search, read, reply (admin replies notify townhall). */
export function conversationRoutes(context: ApiContext, emitter: IntercomEmitter) {
  const { ws, conforms, search, replyPart } = context;
  const router = express.Router();

  router.post('/conversations', conforms('post', '/conversations'), (req, res) => {
    const body = req.body as { from: { type: string; id: string }; body: string };
    const contact = ws.contacts.get(body.from.id);
    if (!contact || (body.from.type !== 'contact' && body.from.type !== contact.role))
      return notFound(res, 'User Not Found');
    const conversation = ws.addConversation({ contact, body: body.body });
    res.json(serializeMessage(conversation));
  });

  router.post('/conversations/search', conforms('post', '/conversations/search'), (req, res) => {
    const result = search<Conversation>(
      req,
      res,
      searchable(ws.conversations.values()),
      (conversation, field) =>
        ({
          id: conversation.id,
          created_at: conversation.createdAt,
          updated_at: conversation.updatedAt,
          'source.body': { words: conversation.body },
          contact_ids: [conversation.contactId],
          open: conversation.state !== 'closed',
          state: conversation.state,
        })[field],
      (field) => CONVERSATION_FIELDS.has(field),
      20,
    );
    if (!result) return;
    res.json({
      type: 'conversation.list',
      conversations: result.slice.map((c) => serializeConversation(ws, c)),
      total_count: result.total,
      pages: result.pages,
    });
  });

  router.get(
    '/conversations/:id',
    conforms('get', '/conversations/{conversation_id}'),
    (req, res) => {
      const conversation = ws.conversations.get(String(req.params.id));
      if (!conversation) return notFound(res);
      res.json(serializeConversation(ws, conversation));
    },
  );

  router.post(
    '/conversations/:id/reply',
    conforms('post', '/conversations/{conversation_id}/reply'),
    (req, res) => {
      const conversation = ws.conversations.get(String(req.params.id));
      if (!conversation) return notFound(res);
      const part = replyPart(res, conversation, req.body as Parameters<typeof replyPart>[2]);
      if (!part) return;
      const topic = partTopic('conversation', part);
      if (topic) void emitter.emit(topic, serializeConversation(ws, conversation));
      res.json(serializeConversation(ws, conversation));
    },
  );

  /**
   * Manage: `open`, `close` or `snoozed`, as a teammate. townhall subscribes to no conversation
   * state topic, so none is sent. Assignment is not emulated (400).
   */
  router.post(
    '/conversations/:id/parts',
    conforms('post', '/conversations/{conversation_id}/parts'),
    (req, res) => {
      const conversation = ws.conversations.get(String(req.params.id));
      if (!conversation) return notFound(res);
      const body = req.body as { message_type: string; admin_id: string; snoozed_until?: number };
      const admin = ws.admins.get(String(body.admin_id));
      if (!admin) return fail(res, 404, { code: 'admin_not_found', message: 'Admin not found' });
      const states = { open: 'open', close: 'closed', snoozed: 'snoozed' } as const;
      const state = Object.hasOwn(states, body.message_type)
        ? states[body.message_type as keyof typeof states]
        : undefined;
      if (!state)
        return fail(res, 400, {
          code: 'parameter_invalid',
          message: `message_type ${body.message_type} is not emulated`,
        });
      setConversationState(ws, conversation, state, admin, body.snoozed_until);
      res.json(serializeConversation(ws, conversation));
    },
  );

  return router;
}
