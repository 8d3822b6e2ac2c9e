import express from 'express';
import { z } from 'zod';
import { sessionOf } from './auth.js';
import { fail } from './errors.js';
import type { ModmailConversation, ModmailMessage, RedditStore } from './store.js';
import { subredditFullname } from './store.js';

/**
 * New modmail's GET /api/mod/conversations: conversations and their messages in separate maps,
 * with conversationIds giving the order (most recently updated first).
 */

const conversationsQuery = z.object({
  entity: z.string().optional().catch(undefined),
  sort: z.string().optional().catch(undefined),
  after: z.string().optional().catch(undefined),
  limit: z.coerce
    .number()
    .int()
    .catch(25)
    .transform((n) => Math.min(100, Math.max(1, n))),
});

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Reddit's rendered markdown: paragraphs inside its `md` div. */
export function modmailHtml(markdown: string): string {
  const paragraphs = markdown
    .trim()
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
    .join('\n');
  return `<!-- SC_OFF --><div class="md">${paragraphs}\n</div><!-- SC_ON -->`;
}

const lastUpdated = (conversation: ModmailConversation) =>
  conversation.messages.at(-1)?.date ?? new Date(0).toISOString();

export function serializeConversation(store: RedditStore, conversation: ModmailConversation) {
  const sub = store.subreddit(conversation.subreddit);
  const authors = new Map<string, { name: string; isMod: boolean; isAdmin: false }>();
  for (const message of conversation.messages)
    authors.set(message.author.toLowerCase(), {
      name: message.author,
      isMod: message.isMod,
      isAdmin: false,
    });
  return {
    id: conversation.id,
    subject: conversation.subject,
    lastUpdated: lastUpdated(conversation),
    isInternal: false,
    numMessages: conversation.messages.length,
    owner: {
      displayName: conversation.subreddit,
      type: 'subreddit',
      id: sub ? subredditFullname(sub) : null,
    },
    objIds: conversation.messages.map((message) => ({ id: message.id, key: 'messages' })),
    authors: [...authors.values()],
  };
}

export function serializeModmailMessage(message: ModmailMessage) {
  return {
    id: message.id,
    body: modmailHtml(message.bodyMarkdown),
    bodyMarkdown: message.bodyMarkdown,
    author: { name: message.author, isMod: message.isMod, isAdmin: false },
    date: message.date,
    isInternal: false,
  };
}

export function modmailRoutes(store: RedditStore) {
  const router = express.Router();

  router.get('/api/mod/conversations', (req, res) => {
    const query = conversationsQuery.parse(req.query);
    const me = sessionOf(res).username;
    // Without an entity, every subreddit the account moderates; naming one it does not is 403.
    const names = query.entity
      ? query.entity.split(',').map((name) => name.trim())
      : store
          .subreddits()
          .filter((sub) => store.isModerator(sub, me))
          .map((sub) => sub.name);
    const subs = names.map((name) => store.subreddit(name));
    if (subs.some((sub) => !sub || !store.isModerator(sub, me))) return fail(res, 403);
    const owners = new Set(subs.map((sub) => sub!.name));

    let ordered = [...store.modmail.values()]
      .filter((conversation) => owners.has(conversation.subreddit))
      .sort((a, b) => b.updatedSeq - a.updatedSeq);
    if (query.after) {
      const index = ordered.findIndex((conversation) => conversation.id === query.after);
      ordered = index < 0 ? [] : ordered.slice(index + 1);
    }
    const shown = ordered.slice(0, query.limit);

    const conversations: Record<string, unknown> = {};
    const messages: Record<string, unknown> = {};
    for (const conversation of shown) {
      conversations[conversation.id] = serializeConversation(store, conversation);
      for (const message of conversation.messages)
        messages[message.id] = serializeModmailMessage(message);
    }
    res.json({ conversations, conversationIds: shown.map((c) => c.id), messages });
  });

  return router;
}
