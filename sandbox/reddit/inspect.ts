import express from 'express';
import { serializeConversation, serializeModmailMessage } from './modmail.js';
import type { RequestLog } from './requests.js';
import { serializeComment, serializeMessage, serializePost } from './serialize.js';
import type { RedditStore } from './store.js';

/**
 * GET /_sandbox/reddit/...: what is on the emulated site and what clients asked of it, oldest
 * first, in Reddit's own field names plus `state` (live, deleted or removed).
 */
export function inspectionRoutes(store: RedditStore, log: RequestLog) {
  const router = express.Router();

  router.get('/_sandbox/reddit/posts', (_req, res) => {
    res.json(store.posts().map((post) => ({ ...serializePost(store, post), state: post.state })));
  });

  router.get('/_sandbox/reddit/comments', (_req, res) => {
    res.json(
      store.comments().map((comment) => ({
        ...serializeComment(store, comment),
        state: comment.state,
      })),
    );
  });

  /** Private messages, with `to` beside Reddit's `dest`. */
  router.get('/_sandbox/reddit/messages', (_req, res) => {
    res.json(
      store.messages().map((message) => ({ ...serializeMessage(message), to: message.dest })),
    );
  });

  router.get('/_sandbox/reddit/requests', (_req, res) => {
    res.json(log.list());
  });

  /** Each modmail conversation with its messages inline. */
  router.get('/_sandbox/reddit/modmail', (_req, res) => {
    res.json(
      [...store.modmail.values()].map((conversation) => ({
        ...serializeConversation(store, conversation),
        messages: conversation.messages.map(serializeModmailMessage),
      })),
    );
  });

  return router;
}
