import { describe, expect, it } from 'vitest';
import { REDDIT_DEFAULTS } from '../../sandbox/reddit/index.js';
import type { Listing, Thing } from '../support/reddit-sandbox-api.js';
import {
  UA,
  basic,
  names,
  passwordGrant,
  useRedditSandbox,
} from '../support/reddit-sandbox-api.js';

/** The Reddit emulator over HTTP, as a Reddit client sees it: the token endpoint and listings. */

const { sandbox, redditUrl, token, setToken, grant, api, sandboxPost, submit } = useRedditSandbox();

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
    setToken(byRefresh.body.access_token as string);
    const me = await api<{ name: string; id: string }>('/api/v1/me');
    expect(me.body).toMatchObject({
      name: 'townhall_bot',
      id: expect.stringMatching(/^[0-9a-z]+$/),
    });
    expect(sandbox().emulators.reddit.tokenRequests()).toBe(3);
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
    const without = await fetch(`${redditUrl()}/r/townhall/new`, { headers: { 'user-agent': UA } });
    expect(without.status).toBe(401);
    expect(await without.json()).toEqual({ message: 'Unauthorized', error: 401 });
    const unknown = await fetch(`${redditUrl()}/r/townhall/new`, {
      headers: { authorization: 'bearer made-up', 'user-agent': UA },
    });
    expect(unknown.status).toBe(401);

    const blank = await fetch(`${redditUrl()}/r/townhall/new`, {
      headers: { authorization: `Bearer ${token()}`, 'user-agent': '' },
    });
    expect(blank.status).toBe(429);
    expect(await blank.json()).toEqual({ message: 'Too Many Requests', error: 429 });

    expect((await api('/r/townhall/new')).res.status).toBe(200);
    await fetch(`${sandbox().url}/_sandbox/reddit/expire-tokens`, { method: 'POST' });
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
