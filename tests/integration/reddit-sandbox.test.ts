import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { REDDIT_DEFAULTS, redditEmulator } from '../../sandbox/reddit/index.js';
import type { RedditRequest } from '../../sandbox/reddit/requests.js';

/** The Reddit emulator over HTTP, as a Reddit client sees it. */

const emulators = { reddit: redditEmulator };
type RedditSandbox = Sandbox<typeof emulators>;

const UA = 'test:townhall.sandbox:1.0 (by /u/townhall_bot)';
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

interface Thing {
  kind: string;
  data: Record<string, unknown> & { name: string };
}
interface Listing {
  kind: 'Listing';
  data: { after: string | null; before: string | null; dist: number | null; children: Thing[] };
}

let sandbox: RedditSandbox;
let reddit: string;

async function grant(
  form: Record<string, string>,
  auth = basic('sandbox-reddit-client', 'sandbox-reddit-secret'),
) {
  const res = await fetch(`${reddit}/api/v1/access_token`, {
    method: 'POST',
    headers: { authorization: auth, 'user-agent': UA },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const passwordGrant = {
  grant_type: 'password',
  username: REDDIT_DEFAULTS.username,
  password: REDDIT_DEFAULTS.password,
};

async function newToken(): Promise<string> {
  const { body } = await grant(passwordGrant);
  return body.access_token as string;
}

let token: string;
/** An API call as the bot: JSON back, with the response for its headers. */
async function api<T = unknown>(path: string, init: { form?: Record<string, string> } = {}) {
  const res = await fetch(`${reddit}${path}`, {
    method: init.form ? 'POST' : 'GET',
    headers: { authorization: `bearer ${token}`, 'user-agent': UA },
    ...(init.form ? { body: new URLSearchParams(init.form) } : {}),
  });
  return { res, body: (await res.json()) as T };
}

async function sandboxPost<T = Thing>(what: string, body: unknown) {
  const res = await fetch(`${sandbox.url}/_sandbox/reddit/${what}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function submit(body: Record<string, unknown>): Promise<Thing> {
  const { status, body: thing } = await sandboxPost('submit', { subreddit: 'townhall', ...body });
  expect(status).toBe(201);
  return thing;
}

const names = (listing: Listing) => listing.data.children.map((child) => child.data.name);

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, emulators });
  reddit = `${sandbox.url}/reddit`;
});
afterAll(() => sandbox.stop());
beforeEach(async () => {
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
  token = await newToken();
});

describe('the token endpoint', () => {
  it('grants bearer tokens for the password and refresh-token grants', async () => {
    const byPassword = await grant(passwordGrant);
    expect(byPassword).toMatchObject({
      status: 200,
      body: { token_type: 'bearer', expires_in: 3600, scope: '*' },
    });
    const byRefresh = await grant({
      grant_type: 'refresh_token',
      refresh_token: REDDIT_DEFAULTS.refreshToken,
    });
    expect(byRefresh.status).toBe(200);
    expect(byRefresh.body.access_token).toEqual(expect.any(String));
    expect(byRefresh.body.access_token).not.toBe(byPassword.body.access_token);
    // Both work, and say who they act as.
    token = byRefresh.body.access_token as string;
    const me = await api<{ name: string; id: string }>('/api/v1/me');
    expect(me.body).toMatchObject({
      name: 'townhall_bot',
      id: expect.stringMatching(/^[0-9a-z]+$/),
    });
    expect(sandbox.emulators.reddit.tokenRequests()).toBe(3);
  });

  it('refuses a wrong client with 401 and a wrong password or refresh token with invalid_grant', async () => {
    expect(await grant(passwordGrant, basic('sandbox-reddit-client', 'nope'))).toEqual({
      status: 401,
      body: { message: 'Unauthorized', error: 401 },
    });
    expect(await grant({ ...passwordGrant, password: 'wrong' })).toEqual({
      status: 200,
      body: { error: 'invalid_grant' },
    });
    expect(await grant({ grant_type: 'refresh_token', refresh_token: 'old' })).toEqual({
      status: 200,
      body: { error: 'invalid_grant' },
    });
  });

  it('guards the API: 401 without a live token, 429 without a User-Agent', async () => {
    const without = await fetch(`${reddit}/r/townhall/new`, { headers: { 'user-agent': UA } });
    expect(without.status).toBe(401);
    expect(await without.json()).toEqual({ message: 'Unauthorized', error: 401 });
    const unknown = await fetch(`${reddit}/r/townhall/new`, {
      headers: { authorization: 'bearer made-up', 'user-agent': UA },
    });
    expect(unknown.status).toBe(401);

    const blank = await fetch(`${reddit}/r/townhall/new`, {
      headers: { authorization: `Bearer ${token}`, 'user-agent': '' },
    });
    expect(blank.status).toBe(429);
    expect(await blank.json()).toEqual({ message: 'Too Many Requests', error: 429 });

    expect((await api('/r/townhall/new')).res.status).toBe(200);
    await fetch(`${sandbox.url}/_sandbox/reddit/expire-tokens`, { method: 'POST' });
    expect((await api('/r/townhall/new')).res.status).toBe(401);
  });
});

describe('listings', () => {
  it('lists posts newest first, paging with after and before', async () => {
    const posts: Thing[] = [];
    for (const n of [1, 2, 3, 4, 5])
      posts.push(await submit({ author: `member_${n}`, title: `Post ${n}`, text: `body ${n}` }));
    const [p1, p2, p3, p4, p5] = posts.map((post) => post.data.name);
    expect(p1).toMatch(/^t3_[0-9a-z]+$/);

    const first = (await api<Listing>('/r/townhall/new?limit=2')).body;
    expect(names(first)).toEqual([p5, p4]);
    expect(first.data).toMatchObject({ after: p4, before: null, dist: 2 });
    const post = first.data.children[0]!.data;
    expect(post).toMatchObject({
      author: 'member_5',
      author_fullname: expect.stringMatching(/^t2_/),
      title: 'Post 5',
      selftext: 'body 5',
      subreddit: 'townhall',
      subreddit_id: expect.stringMatching(/^t5_/),
      permalink: `/r/townhall/comments/${String(post.id)}/post_5/`,
      num_comments: 0,
      removed_by_category: null,
    });

    const second = (await api<Listing>(`/r/townhall/new?limit=2&after=${p4}`)).body;
    expect(names(second)).toEqual([p3, p2]);
    expect(second.data).toMatchObject({ after: p2, before: p3 });
    const last = (await api<Listing>(`/r/townhall/new?limit=2&after=${p2}`)).body;
    expect(names(last)).toEqual([p1]);
    expect(last.data.after).toBeNull();

    const newer = (await api<Listing>(`/r/townhall/new?limit=2&before=${p2}`)).body;
    expect(names(newer)).toEqual([p4, p3]);
    expect(names((await api<Listing>(`/r/townhall/new?before=${p2}`)).body)).toEqual([p5, p4, p3]);
    expect(names((await api<Listing>(`/r/townhall/new?before=${p5}`)).body)).toEqual([]);
  });

  it('answers an empty listing when before names a deleted thing, and hides deleted things', async () => {
    const old = await submit({ author: 'ada', title: 'Old', text: '' });
    const gone = await submit({ author: 'ada', title: 'Gone', text: '' });
    const fresh = await submit({ author: 'ada', title: 'Fresh', text: '' });
    expect(names((await api<Listing>(`/r/townhall/new?before=${old.data.name}`)).body)).toEqual([
      fresh.data.name,
      gone.data.name,
    ]);
    expect((await sandboxPost('delete', { fullname: gone.data.name })).status).toBe(200);
    const before = (await api<Listing>(`/r/townhall/new?before=${gone.data.name}`)).body;
    expect(before.data.children).toEqual([]);
    expect(names((await api<Listing>('/r/townhall/new')).body)).toEqual([
      fresh.data.name,
      old.data.name,
    ]);
    const [shown] = (await api<[Listing, Listing]>(`/comments/${String(gone.data.id)}`)).body;
    expect(shown.data.children[0]!.data).toMatchObject({
      author: '[deleted]',
      selftext: '[deleted]',
    });
    expect(shown.data.children[0]!.data).not.toHaveProperty('author_fullname');
  });

  it('leaves out the newest and swaps the next two on the read after a reorder, once', async () => {
    const post = await submit({ author: 'ada', title: 'Thread', text: '' });
    const comments: string[] = [];
    for (const n of [1, 2, 3, 4])
      comments.push(
        (await submit({ author: 'bob', text: `c${n}`, parent: post.data.name })).data.name,
      );
    const [c1, c2, c3, c4] = comments;
    expect(names((await api<Listing>('/r/townhall/comments')).body)).toEqual([c4, c3, c2, c1]);
    expect(
      (await sandboxPost('reorder', { subreddit: 'townhall', listing: 'comments' })).status,
    ).toBe(200);
    expect(names((await api<Listing>('/r/townhall/comments')).body)).toEqual([c2, c3, c1]);
    expect(names((await api<Listing>('/r/townhall/comments')).body)).toEqual([c4, c3, c2, c1]);
  });
});

describe('writing as the bot', () => {
  it('comments on posts and comments, nesting replies in the comment tree', async () => {
    const post = await submit({ author: 'ada', title: 'Help please', text: 'stuck' });
    const question = await submit({ author: 'ada', text: 'anyone?', parent: post.data.name });
    const answer = await api<{ json: { errors: unknown[]; data: { things: Thing[] } } }>(
      '/api/comment',
      { form: { api_type: 'json', thing_id: question.data.name, text: 'On it!' } },
    );
    expect(answer.body.json.errors).toEqual([]);
    const reply = answer.body.json.data.things[0]!;
    expect(reply).toMatchObject({
      kind: 't1',
      data: {
        author: 'townhall_bot',
        body: 'On it!',
        parent_id: question.data.name,
        link_id: post.data.name,
        name: expect.stringMatching(/^t1_/),
      },
    });

    const [, tree] = (await api<[Listing, Listing]>(`/comments/${String(post.data.id)}`)).body;
    const top = tree.data.children[0]!.data as { name: string; replies: Listing };
    expect(top.name).toBe(question.data.name);
    expect(names(top.replies)).toEqual([reply.data.name]);
    expect(top.replies.data.children[0]!.data.replies).toBe('');

    const nothing = await api('/api/comment', {
      form: { api_type: 'json', thing_id: 't1_zzzzzz', text: 'hi' },
    });
    expect(nothing.res.status).toBe(200);
    expect(nothing.body).toEqual({
      json: { errors: [['NO_THING', 'that thing does not exist', 'parent']] },
    });
    const empty = await api('/api/comment', {
      form: { api_type: 'json', thing_id: post.data.name, text: ' ' },
    });
    expect(empty.body).toEqual({
      json: { errors: [['NO_TEXT', 'we need something here', 'text']] },
    });
  });

  it('sends private messages to known users and lists them as sent', async () => {
    await submit({ author: 'ada', title: 'Hi', text: '' });
    const sent = await api('/api/compose', {
      form: { api_type: 'json', to: 'ada', subject: 'Welcome', text: 'Glad you are here' },
    });
    expect(sent.body).toEqual({ json: { errors: [] } });
    const nobody = await api('/api/compose', {
      form: { api_type: 'json', to: 'nobody_here', subject: 'Welcome', text: 'hi' },
    });
    expect(nobody.body).toEqual({
      json: { errors: [['USER_DOESNT_EXIST', "that user doesn't exist", 'to']] },
    });
    const long = await api<{ json: { errors: string[][] } }>('/api/compose', {
      form: { api_type: 'json', to: 'ada', subject: 'x'.repeat(101), text: 'hi' },
    });
    expect(long.body.json.errors[0]?.[0]).toBe('TOO_LONG');

    const listing = (await api<Listing>('/message/sent')).body;
    expect(listing.data.children).toHaveLength(1);
    expect(listing.data.children[0]).toMatchObject({
      kind: 't4',
      data: { author: 'townhall_bot', dest: 'ada', subject: 'Welcome', body: 'Glad you are here' },
    });
    const inspected = await (await fetch(`${sandbox.url}/_sandbox/reddit/messages`)).json();
    expect(inspected).toMatchObject([{ to: 'ada', subject: 'Welcome' }]);
  });

  it('lists moderators and modmail conversations', async () => {
    await submit({ author: 'mod_mia', title: 'Rules', text: '', moderator: true });
    const mods = (
      await api<{ data: { children: { name: string }[] } }>('/r/townhall/about/moderators')
    ).body;
    expect(mods.data.children.map((m) => m.name)).toEqual(['townhall_bot', 'mod_mia']);

    const opened = await sandboxPost<{ conversationId: string; messageId: string }>('modmail', {
      subreddit: 'townhall',
      author: 'ada',
      subject: 'Banned?',
      text: 'Why **me**?',
    });
    expect(opened.status).toBe(201);
    const { conversationId } = opened.body;
    await sandboxPost('modmail', {
      subreddit: 'townhall',
      author: 'mod_mia',
      text: 'Looking',
      conversationId,
    });

    const mail = (
      await api<{
        conversationIds: string[];
        conversations: Record<string, { objIds: { id: string }[]; authors: { isMod: boolean }[] }>;
        messages: Record<
          string,
          { bodyMarkdown: string; author: { name: string; isMod: boolean } }
        >;
      }>('/api/mod/conversations?entity=townhall&sort=recent&limit=10')
    ).body;
    expect(mail.conversationIds).toEqual([conversationId]);
    const ids = mail.conversations[conversationId]!.objIds.map((obj) => obj.id);
    expect(ids).toHaveLength(2);
    expect(mail.messages[ids[0]!]).toMatchObject({
      bodyMarkdown: 'Why **me**?',
      author: { name: 'ada', isMod: false },
    });
    expect(mail.messages[ids[1]!]?.author).toMatchObject({ name: 'mod_mia', isMod: true });
  });
});

describe('rate limits, faults and the request log', () => {
  it('counts every API request in Reddit’s headers and answers 429 past the window’s budget', async () => {
    const small = await startSandbox({
      port: 0,
      emulators,
      vendors: { reddit: { rateLimitPerWindow: 3, rateLimitWindowSeconds: 60 } },
    });
    try {
      reddit = `${small.url}/reddit`;
      token = await newToken();
      const first = await api('/r/townhall/new');
      expect(first.res.headers.get('x-ratelimit-used')).toBe('1');
      expect(first.res.headers.get('x-ratelimit-remaining')).toBe('2.0');
      const reset = Number(first.res.headers.get('x-ratelimit-reset'));
      expect(reset).toBeGreaterThan(55);
      expect(reset).toBeLessThanOrEqual(60);
      await api('/r/townhall/new');
      const third = await api('/r/townhall/new');
      expect(third.res.status).toBe(200);
      expect(third.res.headers.get('x-ratelimit-remaining')).toBe('0.0');

      const over = await api('/r/townhall/new');
      expect(over.res.status).toBe(429);
      expect(over.body).toEqual({ message: 'Too Many Requests', error: 429 });
      expect(over.res.headers.get('x-ratelimit-used')).toBe('4');
      expect(Number(over.res.headers.get('retry-after'))).toBeGreaterThan(55);
      // The token endpoint is not counted.
      const fresh = await grant(passwordGrant);
      expect(fresh.status).toBe(200);
    } finally {
      reddit = `${sandbox.url}/reddit`;
      await small.stop();
    }
  });

  it('applies queued faults in Reddit’s error shape', async () => {
    sandbox.faults.add({
      vendor: 'reddit',
      status: 503,
      count: 1,
      retryAfterSeconds: 7,
      drop: false,
    });
    const faulted = await api('/r/townhall/new');
    expect(faulted.res.status).toBe(503);
    expect(faulted.res.headers.get('retry-after')).toBe('7');
    expect(faulted.body).toEqual({ message: 'Service Unavailable', error: 503 });
    expect((await api('/r/townhall/new')).res.status).toBe(200);
  });

  it('records every request with its client and status', async () => {
    await api('/r/townhall/new?limit=5');
    await fetch(`${reddit}/r/townhall/new`, { headers: { 'user-agent': UA } });
    const log = (await (
      await fetch(`${sandbox.url}/_sandbox/reddit/requests`)
    ).json()) as RedditRequest[];
    expect(
      log.map(({ method, path, query, clientId, status }) => ({
        method,
        path,
        query,
        clientId,
        status,
      })),
    ).toEqual([
      {
        method: 'POST',
        path: '/api/v1/access_token',
        query: {},
        clientId: 'sandbox-reddit-client',
        status: 200,
      },
      {
        method: 'GET',
        path: '/r/townhall/new',
        query: { limit: '5' },
        clientId: 'sandbox-reddit-client',
        status: 200,
      },
      { method: 'GET', path: '/r/townhall/new', query: {}, clientId: null, status: 401 },
    ]);
    expect(log[0]!.at).toBeLessThanOrEqual(log[1]!.at);
    expect(Math.abs(log[0]!.at - Date.now())).toBeLessThan(10_000);
  });
});
