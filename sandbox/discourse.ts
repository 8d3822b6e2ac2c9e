import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import type { Faults } from './faults.js';
import { createDiscourseEmitter } from './discourse-emit.js';
import type { SpecValidator } from './discourse-spec.js';
import { loadDiscourseSpec } from './discourse-spec.js';
import type { ForumTopic } from './discourse-store.js';
import { createForum } from './discourse-store.js';
import {
  serializePost,
  serializePostsByIds,
  serializeTopic,
  serializeUser,
} from './discourse-serialize.js';

export interface DiscourseSandboxOptions {
  /** The one admin API key accepted; any other gets Discourse's 403. */
  apiKey: string;
  /** Secret the emitter signs webhooks with (connectors.discourse.webhookSecret). */
  webhookSecret: string;
  faults: Faults;
  /** Where townhall listens (for the webhook emitter). */
  townhallUrl: () => string | undefined;
  /** The Discourse OpenAPI description; defaults to sandbox/specs/discourse/openapi.json. */
  specPath?: string;
}

/** The API paths this emulator owns, so its auth and faults touch no other vendor. */
const API_PATHS = ['/posts.json', '/posts', '/t', '/u', '/users.json', '/groups'];

/** Discourse's site-setting defaults (min_post_length, min_topic_title_length ...). */
const MIN = { post: 20, title: 15, pmPost: 10, pmTitle: 2 } as const;

/** render_json_error: `{ errors: [...], error_type }`, the shape of every Discourse failure. */
function fail(res: Response, status: number, errors: string[], type?: string): void {
  res.status(status).json({ errors, ...(type ? { error_type: type } : {}) });
}
const notFound = (res: Response) =>
  fail(res, 404, ['The requested URL or resource could not be found.'], 'not_found');
const invalidAccess = (res: Response) =>
  fail(res, 403, ['You are not permitted to view the requested resource.'], 'invalid_access');
/** Discourse::InvalidParameters and ParameterMissing are 400s (ApplicationController). */
const invalidParameters = (res: Response, problems: string[]) =>
  fail(
    res,
    400,
    [`You supplied invalid parameters to the request: ${problems.join(', ')}`],
    'invalid_parameters',
  );
/** PostCreator validation failures: 422 with NewPostResultSerializer's `action`. */
const createPostFailed = (res: Response, errors: string[]) =>
  res.status(422).json({ action: 'create_post', errors });

/** RateLimiter::LimitExceeded's body; the wait is filled in from the fault's Retry-After. */
function errorBody(status: number): unknown {
  if (status === 429)
    return {
      errors: ['You’ve performed this action too many times. Please wait before trying again.'],
      error_type: 'rate_limit',
      extras: { wait_seconds: 0, time_left: '0 seconds' },
    };
  if (status >= 500)
    return { errors: ['Oops! Something went wrong on our end.'], error_type: 'server_error' };
  return { errors: [`HTTP ${status}`] };
}

/** Copies the fault's Retry-After into extras.wait_seconds, as Discourse sends both. */
const rateLimitWait: RequestHandler = (_req, res, next) => {
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    const wait = Number(res.getHeader('retry-after'));
    const extras = (body as { extras?: { wait_seconds?: number; time_left?: string } } | null)
      ?.extras;
    if (res.statusCode === 429 && extras && Number.isFinite(wait)) {
      extras.wait_seconds = wait;
      extras.time_left = `${wait} seconds`;
    }
    return json(body);
  };
  next();
};

const intParam = (value: unknown) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
const usernamesOf = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean)
    : [];

export function createDiscourseSandbox(options: DiscourseSandboxOptions) {
  const forum = createForum();
  /** API calls a client made that created a post (for GET /_sandbox/discourse/messages). */
  const created: { kind: 'reply' | 'topic' | 'private_message'; postId: number }[] = [];

  // Loaded once; without the spec every other vendor still works and Discourse says why not.
  let spec: SpecValidator | undefined;
  let specError: string | undefined;
  try {
    spec = loadDiscourseSpec(options.specPath);
  } catch (error) {
    specError = (error as Error).message;
  }

  const router = express.Router();
  router.use(API_PATHS, rateLimitWait, options.faults.middleware('discourse', errorBody));
  router.use(API_PATHS, express.json({ limit: '1mb' }));
  router.use(API_PATHS, (req: Request, res: Response, next: NextFunction) => {
    if (!spec) {
      fail(res, 500, [`discourse sandbox: ${specError ?? 'no spec'}`], 'sandbox_misconfigured');
      return;
    }
    // Admin API keys act as Api-Username, which must be a real user.
    if (req.get('api-key') !== options.apiKey || !forum.byUsername(req.get('api-username') ?? '')) {
      invalidAccess(res);
      return;
    }
    next();
  });

  /** Rejects a body the OpenAPI description does not allow, before the handler runs. */
  const conforms =
    (method: 'post' | 'put' | 'delete', template: string): RequestHandler =>
    (req, res, next) => {
      const problems = spec?.check(method, template, req.body) ?? [];
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
    created.push({ kind, postId: post.id });
    res.json(serializePost(forum, post, topic));
  });

  router.get('/posts/:id.json', (req, res) => {
    const post = forum.posts.get(intParam(req.params.id));
    const topic = post && forum.topics.get(post.topicId);
    if (!post || !topic) return notFound(res);
    res.json(serializePost(forum, post, topic));
  });

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

  router.get('/_sandbox/discourse/messages', (_req, res) => {
    res.json(
      created.map(({ kind, postId }) => {
        const post = forum.posts.get(postId)!;
        const topic = forum.topics.get(post.topicId)!;
        return {
          kind,
          id: post.id,
          topic_id: topic.id,
          post_number: post.postNumber,
          title: topic.title,
          raw: post.raw,
          username: forum.users.get(post.userId)?.username,
          category_id: topic.categoryId,
          target_recipients: topic.recipients,
          external_id: topic.externalId,
          created_at: post.createdAt,
        };
      }),
    );
  });

  router.get('/_sandbox/discourse/members', (_req, res) => {
    res.json(
      [...forum.groups.values()].flatMap((group) =>
        [...group.members].map((userId) => ({
          group_id: group.id,
          group: group.name,
          user_id: userId,
          username: forum.users.get(userId)?.username,
        })),
      ),
    );
  });

  router.use(createDiscourseEmitter({ forum, ...options }));

  return {
    router,
    reset: () => {
      forum.reset();
      created.length = 0;
    },
  };
}
