import express from 'express';
import { z } from 'zod';
import { sessionOf } from './auth.js';
import { jsonErrors } from './errors.js';
import { wrap } from './serialize.js';
import type { RedditStore } from './store.js';

/**
 * What the bot does through the API: comment on a post or comment, send a private message.
 * Form-encoded, `api_type=json`; refusals are 200s with `json.errors`, as Reddit answers them.
 */

/** Absent fields read as empty, so each gets Reddit's own error rather than a parse failure. */
const field = z.string().catch('');

const commentForm = z.object({ thing_id: field, text: field });
const composeForm = z.object({ to: field, subject: field, text: field });

/** Reddit's limit for a message subject. */
const SUBJECT_MAX = 100;

export function writeRoutes(store: RedditStore) {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  router.post('/api/comment', form, (req, res) => {
    const input = commentForm.parse(req.body ?? {});
    const parent = store.thing(input.thing_id);
    if (!parent || parent.kind === 't4')
      return jsonErrors(res, ['NO_THING', 'that thing does not exist', 'parent']);
    if (parent.state === 'deleted' || parent.state === 'removed')
      return parent.kind === 't3'
        ? jsonErrors(res, [
            'DELETED_LINK',
            'the link you are commenting on has been deleted',
            'parent',
          ])
        : jsonErrors(res, ['DELETED_COMMENT', 'that comment has been deleted', 'parent']);
    if (!input.text.trim()) return jsonErrors(res, ['NO_TEXT', 'we need something here', 'text']);
    const me = store.ensureAccount(sessionOf(res).username);
    const comment = store.addComment(parent, { author: me.name, body: input.text });
    res.json({ json: { errors: [], data: { things: [wrap(store, comment)] } } });
  });

  router.post('/api/compose', form, (req, res) => {
    const input = composeForm.parse(req.body ?? {});
    const to = store.account(input.to.replace(/^\/?u\//i, ''));
    if (!to) return jsonErrors(res, ['USER_DOESNT_EXIST', "that user doesn't exist", 'to']);
    if (!input.subject.trim())
      return jsonErrors(res, ['NO_SUBJECT', 'please enter a subject', 'subject']);
    if (input.subject.length > SUBJECT_MAX)
      return jsonErrors(res, ['TOO_LONG', `this is too long (max: ${SUBJECT_MAX})`, 'subject']);
    if (!input.text.trim()) return jsonErrors(res, ['NO_TEXT', 'we need something here', 'text']);
    const me = store.ensureAccount(sessionOf(res).username);
    store.addMessage({ author: me.name, dest: to.name, subject: input.subject, body: input.text });
    res.json({ json: { errors: [] } });
  });

  return router;
}
