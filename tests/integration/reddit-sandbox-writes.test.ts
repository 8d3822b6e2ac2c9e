import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../sandbox/index.js';
import type { RedditRequest } from '../../sandbox/reddit/requests.js';
import type { Listing, Thing } from '../support/reddit-sandbox-api.js';
import {
  UA,
  emulators,
  names,
  passwordGrant,
  useRedditSandbox,
} from '../support/reddit-sandbox-api.js';

/**
 * The Reddit emulator over HTTP, as a Reddit client sees it: writing as the bot, rate limits,
 * faults and the request log.
 */

const { sandbox, redditUrl, setToken, pointAt, grant, newToken, api, sandboxPost, submit } =
  useRedditSandbox();

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
    const inspected = await (await fetch(`${sandbox().url}/_sandbox/reddit/messages`)).json();
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
      pointAt(small);
      setToken(await newToken());
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
      pointAt(sandbox());
      await small.stop();
    }
  });

  it('applies queued faults in Reddit’s error shape', async () => {
    sandbox().faults.add({
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
    await fetch(`${redditUrl()}/r/townhall/new`, { headers: { 'user-agent': UA } });
    const log = (await (
      await fetch(`${sandbox().url}/_sandbox/reddit/requests`)
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
