// townhall's Reddit client against the sandbox's Reddit, over a socket: sign-in and token
// renewal, reading a thread, modmail, the lookups that keep a retried comment or private message
// from going out twice, and how Reddit's refusals are classified.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import { redditMessenger, redditThreadPoster } from '../../connectors/reddit/capabilities.js';
import { createRedditConnector } from '../../connectors/reddit/client.js';
import type { RedditConfig } from '../../connectors/reddit/config.js';
import { redditConfigSchema } from '../../connectors/reddit/config.js';
import { redditThreadReader } from '../../connectors/reddit/threads.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { REDDIT_DEFAULTS, redditEmulator } from '../../sandbox/reddit/index.js';
import { submit } from '../support/reddit.js';

const emulators = { reddit: redditEmulator };
let sandbox: Sandbox<typeof emulators>;

beforeAll(async () => {
  // Tokens live 62 s: a minute before expiry is 2 s after sign-in.
  sandbox = await startSandbox({
    port: 0,
    emulators,
    vendors: { reddit: { tokenLifetimeSeconds: 62, subreddits: ['clientsub'] } },
  });
});
afterAll(async () => {
  await sandbox?.stop();
});

const config = (overrides: Record<string, unknown> = {}): RedditConfig =>
  redditConfigSchema.parse({
    clientId: REDDIT_DEFAULTS.clientId,
    clientSecret: REDDIT_DEFAULTS.clientSecret,
    username: REDDIT_DEFAULTS.username,
    password: REDDIT_DEFAULTS.password,
    subreddits: ['clientsub'],
    apiUrl: `${sandbox.url}/reddit`,
    authUrl: `${sandbox.url}/reddit`,
    ...overrides,
  });

const log = () => sandbox.emulators.reddit.requests();
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(ConnectorError);
      return error as ConnectorError;
    },
  );

describe('Reddit client', () => {
  it('renews the token a minute before it expires, and once after a 401', async () => {
    const reddit = createRedditConnector(config());
    const before = sandbox.emulators.reddit.tokenRequests();
    await reddit.subreddit('clientsub');
    expect(sandbox.emulators.reddit.tokenRequests()).toBe(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const polled = await reddit.poll('clientsub', { cursor: undefined, startedAt: Date.now() });
    expect(polled.events).toEqual([]);
    // Renewed before Reddit would have refused the old one: no 401 on the way.
    expect(sandbox.emulators.reddit.tokenRequests()).toBe(before + 2);
    expect(log().filter((r) => r.status === 401)).toEqual([]);

    sandbox.emulators.reddit.expireTokens();
    await reddit.poll('clientsub', { cursor: polled.cursor, startedAt: 0 });
    expect(log().filter((r) => r.status === 401)).toHaveLength(1);
    expect(sandbox.emulators.reddit.tokenRequests()).toBe(before + 3);
  });

  it('signs in with a refresh token too; a wrong password is an auth failure', async () => {
    const viaRefresh = createRedditConnector(
      config({ password: undefined, refreshToken: REDDIT_DEFAULTS.refreshToken }),
    );
    expect((await viaRefresh.subreddit('clientsub')).moderators.has('townhall_bot')).toBe(true);
    const wrong = createRedditConnector(config({ password: 'not-it' }));
    expect((await failure(wrong.subreddit('clientsub'))).code).toBe('auth');
  });

  it('classifies refusals by status: a missing subreddit, a rate limit with its wait', async () => {
    const reddit = createRedditConnector(config());
    expect((await failure(reddit.subreddit('nosuchsub'))).code).toBe('not_found');
    sandbox.faults.add({
      vendor: 'reddit',
      path: '/about/moderators',
      status: 429,
      retryAfterSeconds: 7,
      count: 1,
      drop: false,
    });
    const limited = await failure(reddit.subreddit('clientsub'));
    expect(limited.code).toBe('rate_limited');
    expect(limited.retryAfterMs).toBe(7_000);
  });

  it('reads a thread oldest first, nested replies included, and links to it', async () => {
    const reddit = createRedditConnector(config());
    const post = await submit(sandbox, {
      subreddit: 'clientsub',
      author: 'ada_l',
      title: 'Sync fails',
      text: 'Since Monday',
    });
    const first = await submit(sandbox, {
      subreddit: 'clientsub',
      author: 'bob_b',
      parent: post.data.name,
      text: 'Same here',
    });
    await submit(sandbox, {
      subreddit: 'clientsub',
      author: 'ada_l',
      parent: first.data.name,
      text: 'Glad it is not just me',
    });
    const reader = redditThreadReader(reddit);
    const thread = await reader.readThread({
      channelId: 'clientsub',
      threadId: post.data.name,
      limit: 10,
    });
    expect(thread.map((m) => [m.authorId, m.text])).toEqual([
      ['ada_l', 'Sync fails\n\nSince Monday'],
      ['bob_b', 'Same here'],
      ['ada_l', 'Glad it is not just me'],
    ]);
    expect(await reader.permalink({ channelId: 'clientsub', threadId: post.data.name })).toMatch(
      /^https:\/\/www\.reddit\.com\/r\/clientsub\/comments\//,
    );
  });

  it('a retried comment or private message finds the earlier attempt instead of sending again', async () => {
    const reddit = createRedditConnector(config());
    const post = await submit(sandbox, {
      subreddit: 'clientsub',
      author: 'cy_c',
      title: 'Question',
      text: '?',
    });
    const poster = redditThreadPoster(reddit);
    const attempt = { dedupKey: 'handoff:x/ack', earlierAttemptSince: new Date() };
    const reply = { channelId: 'clientsub', threadId: post.data.name, text: 'We are on it' };
    const first = await poster.replyInThread({ ...reply, dedupKey: attempt.dedupKey });
    const again = await poster.replyInThread({ ...reply, ...attempt });
    expect(again).toMatchObject({ messageId: first.messageId, created: false });
    const comments = (await (await fetch(`${sandbox.url}/_sandbox/reddit/comments`)).json()) as {
      link_id: string;
      body: string;
    }[];
    expect(
      comments.filter((c) => c.link_id === post.data.name && c.body === 'We are on it'),
    ).toHaveLength(1);

    const messenger = redditMessenger(reddit);
    const dm = { to: { userId: 'cy_c' }, text: 'Welcome!', subject: 'Welcome\r\nBcc: x' };
    await messenger.sendDirectMessage({ ...dm, dedupKey: 'onboarding:m/dm' });
    const retried = await messenger.sendDirectMessage({
      ...dm,
      dedupKey: 'onboarding:m/dm',
      earlierAttemptSince: new Date(Date.now() - 5_000),
    });
    expect(retried.created).toBe(false);
    // A different message to the same member is sent.
    await messenger.sendDirectMessage({ ...dm, text: 'Day two', dedupKey: 'onboarding:m/dm2' });
    const sent = (
      (await (await fetch(`${sandbox.url}/_sandbox/reddit/messages`)).json()) as {
        to: string;
        subject: string;
        body: string;
      }[]
    ).filter((m) => m.to === 'cy_c');
    expect(sent.map((m) => m.body)).toEqual(['Welcome!', 'Day two']);
    // No line break reaches the subject.
    expect(sent[0]!.subject).toBe('Welcome Bcc: x');
  });

  it('a first poll reads back past a page to when the poller began, and no further', async () => {
    const reddit = createRedditConnector(config());
    await submit(sandbox, {
      subreddit: 'firstpoll',
      author: 'early_e',
      title: 'Before',
      text: '.',
    });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const startedAt = Date.now();
    for (let i = 0; i < 130; i++)
      await submit(sandbox, {
        subreddit: 'firstpoll',
        author: `later_${i % 3}`,
        title: `p${i}`,
        text: '.',
      });
    // AutoModerator's notices are nobody's activity.
    await submit(sandbox, {
      subreddit: 'firstpoll',
      author: 'AutoModerator',
      title: 'Weekly thread',
      text: '.',
    });
    const polled = await reddit.poll('firstpoll', { cursor: undefined, startedAt });
    const posts = polled.events.filter((event) => event.type === 'message.posted');
    expect(posts).toHaveLength(130);
    expect(polled.events.filter((event) => event.type === 'member.joined')).toHaveLength(3);
    expect(
      polled.events.some((event) => 'member' in event && event.member.userId === 'early_e'),
    ).toBe(false);
    expect(polled.gap).toBe(false);
  });

  it('reads modmail as messages in the modmail channel, one thread per conversation', async () => {
    const reddit = createRedditConnector(config({ modmail: true }));
    const startedAt = Date.now() - 1_000;
    let polled = await reddit.poll('clientsub', { cursor: undefined, startedAt });
    const mail = (await (
      await fetch(`${sandbox.url}/_sandbox/reddit/modmail`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          subreddit: 'clientsub',
          author: 'dee_d',
          subject: 'Appeal',
          text: 'Please review my ban',
        }),
      })
    ).json()) as { conversationId: string };
    polled = await reddit.poll('clientsub', { cursor: polled.cursor, startedAt });
    expect(
      polled.events.filter((e) => e.type === 'message.posted' && e.channelId === 'modmail'),
    ).toEqual([
      expect.objectContaining({
        threadId: `modmail:${mail.conversationId}`,
        text: 'Please review my ban',
        member: expect.objectContaining({ userId: 'dee_d' }),
      }),
    ]);
    // Read again, nothing is new.
    expect((await reddit.poll('clientsub', { cursor: polled.cursor, startedAt })).events).toEqual(
      [],
    );
  });

  it('waits longer after each read that finds nothing, and reads at pollEvery again once something is new', async () => {
    // Paces well above what the sandbox's rate window asks (1,000 requests a 600 s: 1.2 s a poll).
    const reddit = createRedditConnector(config({ pollEvery: '2s', quietPollEvery: '16s' }));
    await submit(sandbox, { subreddit: 'quietsub', author: 'before_b', title: 'Old', text: '.' });
    // Reddit's times are whole seconds: the old post a second behind the start, the new one after.
    const second = () => new Promise((resolve) => setTimeout(resolve, 1_100));
    await second();
    const startedAt = Date.now();
    let polled = await reddit.poll('quietsub', { cursor: undefined, startedAt });
    const pauses = [polled.nextPollMs];
    for (let read = 0; read < 4; read++) {
      polled = await reddit.poll('quietsub', { cursor: polled.cursor, startedAt });
      pauses.push(polled.nextPollMs);
    }
    // Nothing new five times: doubled from 2 s, held at 16 s.
    expect(pauses).toEqual([4_000, 8_000, 16_000, 16_000, 16_000]);
    await second();
    await submit(sandbox, { subreddit: 'quietsub', author: 'back_b', title: 'Hi', text: 'again' });
    polled = await reddit.poll('quietsub', { cursor: polled.cursor, startedAt });
    expect(polled.events.map((e) => e.type)).toContain('message.posted');
    expect(polled.nextPollMs).toBe(2_000);
    // And the next quiet read starts the doubling over.
    polled = await reddit.poll('quietsub', { cursor: polled.cursor, startedAt });
    expect(polled.nextPollMs).toBe(4_000);
    // At one pace when quietPollEvery is pollEvery (the tests' hubs), or under it.
    const steady = createRedditConnector(config({ pollEvery: '2s', quietPollEvery: '1s' }));
    let read = await steady.poll('quietsub', { cursor: undefined, startedAt: Date.now() });
    read = await steady.poll('quietsub', { cursor: read.cursor, startedAt: Date.now() });
    expect(read.nextPollMs).toBe(2_000);
  });
});
