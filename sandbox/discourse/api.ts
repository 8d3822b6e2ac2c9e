import type { Request, RequestHandler } from 'express';
import express from 'express';
import { createPostFailed, fail, invalidParameters, notFound } from './errors.js';
import { serializePost, serializePostsByIds, serializeTopic, serializeUser } from './serialize.js';
import type { SpecValidator } from './spec.js';
import type { Forum, ForumTopic } from './store.js';
import { postActionRoutes } from './post-actions.js';

/** Discourse's site-setting defaults (min_post_length, min_topic_title_length ...). */
const MIN = { post: 20, title: 15, pmPost: 10, pmTitle: 2 } as const;

const intParam = (value: unknown) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
const usernamesOf = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean)
    : [];

/** A post an API client created, for GET /_sandbox/discourse/messages. */
export interface CreatedPost {
  kind: 'reply' | 'topic' | 'private_message';
  postId: number;
}

export interface ForumApiOptions {
  forum: Forum;
  /** Undefined when the description could not be loaded (the auth gate answers 500 then). */
  spec: SpecValidator | undefined;
  created: (post: CreatedPost) => void;
}

/**
 * The Discourse API routes townhall calls (posts, topics, users, group membership), for requests
 * already authenticated as an admin API key acting as Api-Username.
 */
export function forumApi(options: ForumApiOptions) {
  const { forum } = options;
  const router = express.Router();

  /** Rejects a body the OpenAPI description does not allow, before the handler runs. */
  const conforms =
    (method: 'post' | 'put' | 'delete', template: string): RequestHandler =>
    (req, res, next) => {
      const problems = options.spec?.check(method, template, req.body) ?? [];
      if (problems.length > 0) invalidParameters(res, problems);
      else next();
    };

  const actor = (req: Request) => forum.byUsername(req.get('api-username') ?? '')!;

  router.post('/posts.json', conforms('post', '/posts.json'), (req, res) => {
    const body = req.body as {
      raw: string;
      title?: string;
      topic_id?: number;
      category?: number;
      archetype?: string;
      target_recipients?: string;
      reply_to_post_number?: number;
      external_id?: string;
    };
    const user = actor(req);
    let topic: ForumTopic | undefined;
    let kind: 'reply' | 'topic' | 'private_message';

    if (body.topic_id !== undefined) {
      kind = 'reply';
      topic = forum.topics.get(body.topic_id);
      if (!topic)
        return createPostFailed(res, [
          'Something has gone wrong. Perhaps this topic was closed or deleted while you were looking at it?',
        ]);
      if (body.raw.trim().length < MIN.post)
        return createPostFailed(res, [`Body is too short (minimum is ${MIN.post} characters)`]);
    } else {
      const pm = body.archetype === 'private_message';
      kind = pm ? 'private_message' : 'topic';
      const errors: string[] = [];
      const title = body.title?.trim() ?? '';
      const minTitle = pm ? MIN.pmTitle : MIN.title;
      const minBody = pm ? MIN.pmPost : MIN.post;
      if (!title) errors.push("Title can't be blank");
      else if (title.length < minTitle)
        errors.push(`Title is too short (minimum is ${minTitle} characters)`);
      if (body.raw.trim().length < minBody)
        errors.push(`Body is too short (minimum is ${minBody} characters)`);
      const recipients = usernamesOf(body.target_recipients);
      if (pm && recipients.length === 0) errors.push('You must choose a valid user.');
      const unknown = recipients.filter((name) => !forum.byUsername(name));
      if (unknown.length > 0)
        errors.push(`Sorry, the following users do not exist: ${unknown.join(', ')}`);
      if (!pm && body.category !== undefined && !forum.categoryExists(body.category))
        errors.push('Category is invalid');
      if (body.external_id !== undefined) {
        if (!/^[\w-]{1,50}$/.test(body.external_id)) errors.push('External ID is invalid');
        else if ([...forum.topics.values()].some((t) => t.externalId === body.external_id))
          errors.push('External ID has already been taken');
      }
      if (errors.length > 0) return createPostFailed(res, errors);
      topic = forum.addTopic({
        title,
        categoryId: pm ? null : (body.category ?? 1),
        archetype: pm ? 'private_message' : 'regular',
        externalId: body.external_id ?? null,
        recipients,
      });
    }
    const post = forum.addPost(topic, {
      userId: user.id,
      raw: body.raw,
      replyToPostNumber: body.reply_to_post_number ?? null,
    });
    options.created({ kind, postId: post.id });
    res.json(serializePost(forum, post, topic));
  });

  router.get('/posts/:id.json', (req, res) => {
    const post = forum.posts.get(intParam(req.params.id));
    const topic = post && forum.topics.get(post.topicId);
    if (!post || !topic) return notFound(res);
    res.json(serializePost(forum, post, topic, actor(req).id));
  });

  router.use(postActionRoutes(forum, conforms, actor));

  // Before /t/:id.json. Discourse answers with a redirect to the topic itself.
  router.get('/t/external_id/:externalId.json', (req, res) => {
    const topic = [...forum.topics.values()].find((t) => t.externalId === req.params.externalId);
    if (!topic) return notFound(res);
    res.redirect(301, `/t/${topic.id}.json`);
  });

  router.get('/t/:id.json', (req, res) => {
    const topic = forum.topics.get(intParam(req.params.id));
    if (!topic) return notFound(res);
    res.json(serializeTopic(forum, topic));
  });

  router.get('/t/:id/posts.json', (req, res) => {
    const topic = forum.topics.get(intParam(req.params.id));
    if (!topic) return notFound(res);
    const raw = req.query['post_ids[]'] ?? req.query.post_ids;
    const ids = (Array.isArray(raw) ? raw : [raw]).map(intParam).filter(Number.isFinite);
    if (ids.length === 0) return invalidParameters(res, ['post_ids is missing']);
    res.json(serializePostsByIds(forum, topic, ids));
  });

  router.get('/u/:username.json', (req, res) => {
    const user = forum.byUsername(req.params.username);
    if (!user) return notFound(res);
    res.json(serializeUser(forum, user));
  });

  router.post('/users.json', conforms('post', '/users.json'), (req, res) => {
    const body = req.body as { username: string; name: string; email: string };
    if (forum.byUsername(body.username))
      return res.json({ success: false, message: 'Username must be unique', errors: {} });
    const user = forum.addUser(body);
    res.json({
      success: true,
      active: true,
      message: 'Your account is activated.',
      user_id: user.id,
    });
  });

  router.put(
    '/groups/:id/members.json',
    conforms('put', '/groups/{id}/members.json'),
    (req, res) => {
      const group = forum.groups.get(intParam(req.params.id));
      if (!group) return notFound(res);
      const names = usernamesOf((req.body as { usernames?: string }).usernames);
      const users = names.map((name) => forum.byUsername(name)).filter((u) => u !== undefined);
      if (users.length === 0)
        return invalidParameters(res, ['You must specify either a username or an email address.']);
      const already = users.filter((user) => group.members.has(user.id));
      // GroupsController#add_members: all of them already in the group is a 422.
      if (already.length === users.length)
        return fail(res, 422, [
          `${already.map((u) => u.username).join(', ')} is already a member of this group`,
        ]);
      for (const user of users) group.members.add(user.id);
      res.json({
        success: 'OK',
        usernames: users.filter((u) => !already.includes(u)).map((u) => u.username),
        emails: [],
      });
    },
  );

  router.delete(
    '/groups/:id/members.json',
    conforms('delete', '/groups/{id}/members.json'),
    (req, res) => {
      const group = forum.groups.get(intParam(req.params.id));
      if (!group) return notFound(res);
      const names = usernamesOf((req.body as { usernames?: string }).usernames);
      if (names.length === 0)
        return invalidParameters(res, ['You must specify either a username or an email address.']);
      const removed: string[] = [];
      const skipped: string[] = [];
      for (const name of names) {
        const user = forum.byUsername(name);
        if (user && group.members.delete(user.id)) removed.push(user.username);
        else skipped.push(name);
      }
      res.json({ success: 'OK', usernames: removed, skipped_usernames: skipped });
    },
  );

  return router;
}
