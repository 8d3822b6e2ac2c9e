import type { Request, RequestHandler } from 'express';
import express from 'express';
import { fail, invalidParameters, notFound } from './errors.js';
import { serializePost } from './serialize.js';
import type { Forum, ForumUser } from './store.js';

const LIKE = 2;

/**
 * POST /post_actions.json for likes, as PostActionsController answers: the post as the actor now
 * sees it, 403 for a second like or a like of one's own post (Guardian#post_can_act?).
 */
export function postActionRoutes(
  forum: Forum,
  conforms: (method: 'post', template: string) => RequestHandler,
  actor: (req: Request) => ForumUser,
) {
  const router = express.Router();
  router.post('/post_actions.json', conforms('post', '/post_actions.json'), (req, res) => {
    const body = req.body as { id: number; post_action_type_id: number };
    const post = forum.posts.get(body.id);
    const topic = post && forum.topics.get(post.topicId);
    if (!post || !topic) return notFound(res);
    if (body.post_action_type_id !== LIKE)
      return invalidParameters(res, ['post_action_type_id: the sandbox takes likes (2) only']);
    const user = actor(req);
    const likers = forum.likes.get(post.id) ?? new Set<number>();
    if (likers.has(user.id)) return fail(res, 403, ['You already performed that action.']);
    if (post.userId === user.id)
      return fail(res, 403, ['You are not permitted to view the requested resource.']);
    likers.add(user.id);
    forum.likes.set(post.id, likers);
    // render_post_json adds these to the PostSerializer fields.
    res.json({
      ...serializePost(forum, post, topic, user.id),
      flair_group_id: null,
      badges_granted: [],
      can_see_hidden_post: true,
    });
  });
  return router;
}
