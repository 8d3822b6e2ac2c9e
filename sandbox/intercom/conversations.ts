import express from 'express';
import type { ApiContext } from './api-helpers.js';
import { searchable } from './api-helpers.js';
import type { IntercomEmitter } from './emit.js';
import { notFound } from './errors.js';
import type { Conversation } from './store.js';
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
      if (part.author.type === 'admin' && part.partType === 'comment')
        void emitter.emit('conversation.admin.replied', serializeConversation(ws, conversation));
      res.json(serializeConversation(ws, conversation));
    },
  );

  return router;
}
