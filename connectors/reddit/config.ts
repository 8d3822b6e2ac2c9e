import { z } from 'zod';
import { duration } from '../../config/duration.js';

/** Subreddit names as Reddit allows them: letters, digits, underscore, 2 to 21 characters. */
const SUBREDDIT = /^[A-Za-z0-9][A-Za-z0-9_]{1,20}$/;

/**
 * `connectors.reddit`: one Reddit app (OAuth client) and the bot account it acts as, watching
 * one or more subreddits. A "script" app signs in with the bot's username and password; an
 * installed or web app brings a refresh token from its own authorization flow.
 */
export const redditConfigSchema = z
  .strictObject({
    clientId: z.string().min(1).describe('The app’s client id (reddit.com/prefs/apps)'),
    clientSecret: z
      .string()
      .default('')
      .describe('The app’s secret; empty for an installed app, which has none'),
    username: z
      .string()
      .regex(/^[A-Za-z0-9_-]{3,20}$/, 'expected a Reddit username without u/, e.g. townhall_bot')
      .describe('The bot account townhall posts and reads as (a moderator of each subreddit)'),
    password: z
      .string()
      .min(1)
      .optional()
      .describe('The bot account’s password, for a script app (keep it in the environment)'),
    refreshToken: z
      .string()
      .min(1)
      .optional()
      .describe('A permanent refresh token, for an installed or web app (instead of password)'),
    userAgent: z
      .string()
      .min(1)
      .optional()
      .describe(
        'User-Agent Reddit asks for, <platform>:<app id>:<version> (by /u/<username>); built from clientId and username when absent',
      ),
    subreddits: z
      .array(z.string().regex(SUBREDDIT, 'expected a subreddit name without r/, e.g. townhall'))
      .min(1, 'list at least one subreddit to watch')
      .describe('Subreddits townhall watches and answers in, without r/'),
    modmail: z
      .boolean()
      .default(false)
      .describe('Also read modmail conversations (the app needs the modmail scope)'),
    pollEvery: duration
      .default(15_000)
      .describe('How often each subreddit is read when the rate budget allows, e.g. 15s'),
    quietPollEvery: duration
      .default(120_000)
      .describe(
        'The longest pause between reads of a subreddit where nothing is new: each read that finds nothing doubles the pause from pollEvery up to this, and the first new item brings it back to pollEvery (each read is 2 Temporal actions, so a quiet subreddit costs up to 8x less at the defaults, and its first post after a lull is seen within this). Set it to pollEvery to read at one pace',
      ),
    queriesPerMinute: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(100)
      .describe('Requests a minute this app may make, across every worker (Reddit allows 100)'),
    apiUrl: z
      .url()
      .default('https://oauth.reddit.com')
      .describe('Where the OAuth API is reached (the sandbox in development)'),
    authUrl: z
      .url()
      .default('https://www.reddit.com')
      .describe('Where access tokens come from (/api/v1/access_token)'),
    webUrl: z
      .url()
      .default('https://www.reddit.com')
      .describe('Where people open posts and profiles (links in tickets)'),
  })
  .refine((reddit) => reddit.password !== undefined || reddit.refreshToken !== undefined, {
    path: ['password'],
    message:
      'set password (a script app signing in as the bot) or refreshToken (an installed or web app)',
  });
export type RedditConfig = z.output<typeof redditConfigSchema>;

/** Reddit's required User-Agent shape, from the config's own when it gives one. */
export function userAgentOf(config: Pick<RedditConfig, 'userAgent' | 'clientId' | 'username'>) {
  return config.userAgent ?? `node:townhall.${config.clientId}:1.0 (by /u/${config.username})`;
}
