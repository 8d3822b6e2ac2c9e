import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import type { RedditConfig } from '../../connectors/reddit/config.js';
import type { Emulator, EmulatorContext, EmulatorDefinition } from '../emulator.js';
import { withDefaults } from '../emulator.js';
import { agentRoutes } from './agent.js';
import { createAuth, requireUserAgent, sessionOf } from './auth.js';
import { errorBody, fail } from './errors.js';
import { inspectionRoutes } from './inspect.js';
import { modmailRoutes } from './modmail.js';
import { createRateLimits } from './ratelimit.js';
import { readRoutes } from './reads.js';
import type { RedditRequest } from './requests.js';
import { createRequestLog } from './requests.js';
import type { RedditStore } from './store.js';
import { createRedditStore } from './store.js';
import { writeRoutes } from './writes.js';

export interface RedditEmulatorOptions {
  /** The one app accepted at the token endpoint, as HTTP Basic `clientId:clientSecret`. */
  clientId: string;
  /** Empty for an installed app, which has no secret. */
  clientSecret: string;
  /** The bot account: the password grant signs in as it, and it moderates every subreddit. */
  username: string;
  password: string;
  /** What the refresh_token grant accepts (an installed or web app's permanent token). */
  refreshToken: string;
  /** Subreddits that exist from the start, each moderated by the bot. */
  subreddits: readonly string[];
  /** expires_in of every access token. */
  tokenLifetimeSeconds: number;
  /** Requests an app may make per window: Reddit's 100 a minute, averaged over 10 minutes. */
  rateLimitPerWindow: number;
  rateLimitWindowSeconds: number;
}

/** The credentials config/examples/sandbox.yaml would use. */
export const REDDIT_DEFAULTS: RedditEmulatorOptions = {
  clientId: 'sandbox-reddit-client',
  clientSecret: 'sandbox-reddit-secret',
  username: 'townhall_bot',
  password: 'sandbox-reddit-password',
  refreshToken: 'sandbox-reddit-refresh-token',
  subreddits: ['townhall'],
  tokenLifetimeSeconds: 3600,
  rateLimitPerWindow: 1000,
  rateLimitWindowSeconds: 600,
};

/**
 * Where Reddit lives on the sandbox's port: a config points both authUrl (www.reddit.com) and
 * apiUrl (oauth.reddit.com) at `<sandbox>/reddit`, since other vendors own paths like /api.
 */
export const REDDIT_SANDBOX_PATH = '/reddit';

/** The emulator as tests reach it through `sandbox.emulators.reddit`. */
export interface RedditEmulator extends Emulator {
  readonly options: Readonly<RedditEmulatorOptions>;
  readonly store: RedditStore;
  /** Every request to /reddit, oldest first (GET /_sandbox/reddit/requests). */
  requests(): readonly RedditRequest[];
  /** Requests to the token endpoint since start or reset, refused ones included. */
  tokenRequests(): number;
  /** Every token issued so far stops working (POST /_sandbox/reddit/expire-tokens). */
  expireTokens(): void;
}

/**
 * Reddit's OAuth API under /reddit: tokens, subreddit and user listings, a post's comment tree,
 * commenting, private messages, modmail, with Reddit's rate-limit headers and error shapes;
 * members' posts, comments and modmail come from POST /_sandbox/reddit/...
 */
function createRedditEmulator(
  given: Partial<RedditEmulatorOptions>,
  context: EmulatorContext,
): RedditEmulator {
  const options = withDefaults<RedditEmulatorOptions>(REDDIT_DEFAULTS, given);
  const store = createRedditStore({ bot: options.username, subreddits: options.subreddits });
  const log = createRequestLog();
  const auth = createAuth(options);
  const limits = createRateLimits(
    { perWindow: options.rateLimitPerWindow, windowSeconds: options.rateLimitWindowSeconds },
    (res) => sessionOf(res).clientId,
  );

  const api = express.Router();
  api.use(readRoutes(store), writeRoutes(store), modmailRoutes(store));
  api.use((_req, res) => fail(res, 404));

  const router = express.Router();
  router.use(REDDIT_SANDBOX_PATH, log.record, auth.router);
  // Who is asking first, so the rate limit knows whose budget a request (faulted or not) spends.
  router.use(
    REDDIT_SANDBOX_PATH,
    requireUserAgent,
    auth.requireToken,
    limits.middleware,
    context.faults.middleware('reddit', errorBody),
    api,
  );
  // Bodies too large or malformed: Reddit's shape, not express's HTML page.
  router.use(
    REDDIT_SANDBOX_PATH,
    (error: unknown, _req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent) return next(error);
      const status = (error as { status?: unknown }).status;
      fail(res, typeof status === 'number' && status >= 400 && status < 500 ? status : 500);
    },
  );
  router.use(agentRoutes(store, auth), inspectionRoutes(store, log));

  return {
    router,
    options,
    store,
    requests: log.list,
    tokenRequests: auth.tokenRequests,
    expireTokens: auth.expireAll,
    reset: () => {
      store.reset();
      auth.reset();
      limits.reset();
      log.reset();
    },
    examples: (url: string) => ({
      join:
        `curl -s -X POST ${url}/_sandbox/reddit/submit -H 'content-type: application/json' \\\n` +
        `    -d '{"subreddit":"${options.subreddits[0] ?? 'townhall'}","author":"grace_hopper",` +
        `"title":"Hello from a new member","text":"Just found this community!"}'`,
      inspect: `curl -s ${url}/_sandbox/reddit/comments`,
    }),
  };
}

export const redditEmulator: EmulatorDefinition<
  RedditConfig,
  RedditEmulatorOptions,
  RedditEmulator
> = {
  create: createRedditEmulator,
  fromConfig(config) {
    return {
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      username: config.username,
      password: config.password,
      refreshToken: config.refreshToken,
      subreddits: config.subreddits,
    };
  },
};
