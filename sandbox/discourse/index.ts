import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import type { DiscourseConfig } from '../../connectors/discourse/config.js';
import type { Emulator, EmulatorContext, EmulatorDefinition } from '../emulator.js';
import type { CreatedPost } from './api.js';
import { forumApi } from './api.js';
import { createDiscourseEmitter } from './emit.js';
import { errorBody, fail, invalidAccess, rateLimitWait } from './errors.js';
import type { SpecValidator } from './spec.js';
import { loadDiscourseSpec } from './spec.js';
import type { Forum } from './store.js';
import { createForum } from './store.js';

export interface DiscourseEmulatorOptions {
  /** The one admin API key accepted; any other gets Discourse's 403. */
  apiKey: string;
  /** Secret the emitter signs webhooks with (connectors.discourse.webhookSecret). */
  webhookSecret: string;
  /** The Discourse OpenAPI description; defaults to sandbox/specs/discourse/openapi.json. */
  specPath: string;
}

/** The credentials config/examples/sandbox.yaml uses. */
export const DISCOURSE_DEFAULTS = {
  apiKey: 'sandbox-discourse-api-key',
  webhookSecret: 'sandbox-discourse-webhook-secret',
} as const;

/** The API paths this emulator owns, so its auth and faults touch no other vendor. */
const API_PATHS = [
  '/posts.json',
  '/posts',
  '/post_actions.json',
  '/t',
  '/u',
  '/users.json',
  '/groups',
];

/**
 * GET /_sandbox/discourse/messages, /likes and /members: what townhall posted and liked, and who
 * is in a group.
 */
function inspectionRoutes(forum: Forum, created: readonly CreatedPost[]) {
  const router = express.Router();
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

  /** Every like: which post, and who liked it (the API user, when townhall did). */
  router.get('/_sandbox/discourse/likes', (_req, res) => {
    res.json(
      [...forum.likes].flatMap(([postId, users]) =>
        [...users].map((userId) => ({
          post_id: postId,
          topic_id: forum.posts.get(postId)?.topicId,
          user_id: userId,
          username: forum.users.get(userId)?.username,
        })),
      ),
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
  return router;
}

/**
 * Discourse: the admin API townhall calls (posts, private messages, users, groups), checked
 * against the official OpenAPI description, and signed webhooks sent from
 * POST /_sandbox/discourse/emit.
 */
function createDiscourseEmulator(
  options: Partial<DiscourseEmulatorOptions>,
  context: EmulatorContext,
): Emulator {
  const apiKey = options.apiKey ?? DISCOURSE_DEFAULTS.apiKey;
  const forum = createForum();
  /** API calls a client made that created a post (for GET /_sandbox/discourse/messages). */
  const created: CreatedPost[] = [];

  // Loaded once; without the spec every other vendor still works and Discourse says why not.
  let spec: SpecValidator | undefined;
  let specError: string | undefined;
  try {
    spec = loadDiscourseSpec(options.specPath);
  } catch (error) {
    specError = (error as Error).message;
  }

  const router = express.Router();
  router.use(API_PATHS, rateLimitWait, context.faults.middleware('discourse', errorBody));
  router.use(API_PATHS, express.json({ limit: '1mb' }));
  router.use(API_PATHS, (req: Request, res: Response, next: NextFunction) => {
    if (!spec) {
      fail(res, 500, [`discourse sandbox: ${specError ?? 'no spec'}`], 'sandbox_misconfigured');
      return;
    }
    // Admin API keys act as Api-Username, which must be a real user.
    if (req.get('api-key') !== apiKey || !forum.byUsername(req.get('api-username') ?? '')) {
      invalidAccess(res);
      return;
    }
    next();
  });
  router.use(forumApi({ forum, spec, created: (post) => created.push(post) }));
  router.use(inspectionRoutes(forum, created));
  router.use(
    createDiscourseEmitter({
      forum,
      webhookSecret: options.webhookSecret ?? DISCOURSE_DEFAULTS.webhookSecret,
      townhallUrl: () => context.townhallUrl(),
    }),
  );

  return {
    router,
    reset: () => {
      forum.reset();
      created.length = 0;
    },
    examples: (url: string) => ({
      join:
        `curl -s -X POST ${url}/_sandbox/discourse/emit -H 'content-type: application/json' \\\n` +
        `    -d '{"event":"user_created","user":{"username":"grace","name":"Grace Hopper","email":"grace@example.com"}}'`,
      inspect: `curl -s ${url}/_sandbox/discourse/messages`,
    }),
  };
}

export const discourseEmulator: EmulatorDefinition<DiscourseConfig, DiscourseEmulatorOptions> = {
  create: createDiscourseEmulator,
  fromConfig(config) {
    return { apiKey: config.apiKey, webhookSecret: config.webhookSecret };
  },
};
