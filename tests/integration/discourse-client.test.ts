import { Ajv2020 } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DiscourseConnector } from '../../connectors/discourse/client.js';
import { createDiscourseConnector } from '../../connectors/discourse/client.js';
import { ConnectorError } from '../../connectors/errors.js';
import { DEFAULT_DISCOURSE_SPEC } from '../../sandbox/discourse/spec.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { freePort } from '../support/ports.js';

const API_KEY = 'test-discourse-key';
let sandbox: Sandbox;
let discourse: DiscourseConnector;

const connector = (overrides: { apiKey?: string; baseUrl?: string } = {}) =>
  createDiscourseConnector({
    baseUrl: sandbox.url,
    apiKey: API_KEY,
    apiUsername: 'system',
    webhookSecret: 'unused-here',
    ...overrides,
  });

async function api(method: string, path: string, body?: unknown, key = API_KEY) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { 'Api-Key': key, 'Api-Username': 'system', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const inspect = async <T>(what: 'messages' | 'members') =>
  (await (await fetch(`${sandbox.url}/_sandbox/discourse/${what}`)).json()) as T[];

async function addUser(username: string) {
  const created = await api('POST', '/users.json', {
    name: username,
    email: `${username}@example.com`,
    password: 'correct horse battery staple',
    username,
  });
  expect(created.body).toMatchObject({ success: true });
}

async function fault(body: Record<string, unknown>) {
  const response = await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vendor: 'discourse', ...body }),
  });
  expect(response.status).toBe(201);
}

beforeAll(async () => {
  sandbox = await startSandbox({
    port: await freePort(),
    vendors: { discourse: { apiKey: API_KEY } },
  });
  discourse = connector();
});
beforeEach(async () => {
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
});
afterAll(() => sandbox?.stop());

describe('Discourse connector against the emulator', () => {
  it('creates a topic once per dedup key, in the requested category', async () => {
    const input = {
      title: 'Welcome to the community forum',
      raw: 'Introduce yourself here, we are glad you came.',
      categoryId: 4,
      dedupKey: 'onboarding:m-1:welcome-topic',
    };
    const first = await discourse.createTopic(input);
    const retry = await discourse.createTopic(input);
    expect(first).toMatchObject({ postNumber: 1, created: true });
    expect(retry).toEqual({ ...first, created: false });

    const messages = await inspect<Record<string, unknown>>('messages');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      kind: 'topic',
      title: input.title,
      raw: input.raw,
      category_id: 4,
      username: 'system',
      external_id: expect.stringMatching(/^th-[0-9a-f]{40}$/),
    });
    const other = await discourse.createTopic({
      ...input,
      dedupKey: 'onboarding:m-2:welcome-topic',
    });
    expect(other.created).toBe(true);
    expect(other.topicId).not.toBe(first.topicId);
  });

  it('replies in a topic once per dedup key; the key is invisible in the rendered post', async () => {
    const topic = await discourse.createTopic({
      title: 'Password reset does not arrive',
      raw: 'I asked for a reset email twice and nothing came.',
      dedupKey: 'topic-for-replies',
    });
    const reply = {
      topicId: topic.topicId,
      raw: 'A support ticket was opened for this: #4521.',
      dedupKey: 'handoff:discourse:77:link',
    };
    const first = await discourse.replyToTopic(reply);
    const retry = await discourse.replyToTopic(reply);
    expect(first).toMatchObject({ topicId: topic.topicId, postNumber: 2, created: true });
    expect(retry).toEqual({ ...first, created: false });
    const again = await discourse.replyToTopic({
      ...reply,
      dedupKey: 'handoff:discourse:77:update',
    });
    expect(again).toMatchObject({ postNumber: 3, created: true });

    const read = await discourse.getTopicPosts(topic.topicId);
    expect(read).toMatchObject({
      topicId: topic.topicId,
      title: 'Password reset does not arrive',
      categoryId: 1,
    });
    expect(read.posts.map((post) => post.postNumber)).toEqual([1, 2, 3]);
    expect(read.posts[1]?.cooked).toBe('<p>A support ticket was opened for this: #4521.</p>');
    const replies = (await inspect<{ kind: string }>('messages')).filter((m) => m.kind === 'reply');
    expect(replies).toHaveLength(2);
  });

  it('sends a private message once per dedup key', async () => {
    await addUser('ada');
    await addUser('grace');
    const input = {
      recipients: ['ada', 'grace'],
      title: 'Your first week',
      raw: 'Here is what to try first.',
      dedupKey: 'onboarding:m-3:pm-1',
    };
    const first = await discourse.sendPrivateMessage(input);
    expect((await discourse.sendPrivateMessage(input)).created).toBe(false);
    expect(first.created).toBe(true);
    const messages = await inspect<Record<string, unknown>>('messages');
    expect(messages).toEqual([
      expect.objectContaining({
        kind: 'private_message',
        target_recipients: ['ada', 'grace'],
        category_id: null,
      }),
    ]);
  });

  it('adds to and removes from a group, both safe to repeat', async () => {
    await addUser('ada');
    expect(await discourse.addToGroup({ groupId: 41, username: 'ada' })).toEqual({ added: true });
    // Discourse answers a repeat with 422 "already a member"; the connector checks and agrees.
    expect(await discourse.addToGroup({ groupId: 41, username: 'ada' })).toEqual({ added: false });
    expect(await inspect('members')).toEqual([
      { group_id: 41, group: 'community', user_id: expect.any(Number), username: 'ada' },
    ]);
    expect((await discourse.getUser('ada'))?.groups).toEqual([{ id: 41, name: 'community' }]);

    expect(await discourse.removeFromGroup({ groupId: 41, username: 'ada' })).toEqual({
      removed: true,
    });
    expect(await discourse.removeFromGroup({ groupId: 41, username: 'ada' })).toEqual({
      removed: false,
    });
    expect(await inspect('members')).toEqual([]);
  });

  it('looks a user up by username, and answers undefined for nobody', async () => {
    await addUser('ada');
    expect(await discourse.getUser('ada')).toEqual({
      id: expect.any(Number),
      username: 'ada',
      name: 'ada',
      groups: [],
    });
    expect(await discourse.getUser('nobody')).toBeUndefined();
  });

  it('fails a group add for an unknown group as not_found, and an unknown user as invalid', async () => {
    await addUser('ada');
    expect(
      await discourse.addToGroup({ groupId: 999, username: 'ada' }).catch((e: unknown) => e),
    ).toMatchObject({
      code: 'not_found',
      status: 404,
    });
    expect(
      await discourse.addToGroup({ groupId: 41, username: 'ghost' }).catch((e: unknown) => e),
    ).toMatchObject({
      code: 'invalid',
      status: 400,
      retryable: false,
    });
  });

  it('surfaces Discourse’s validation errors (422) as invalid, naming the problem', async () => {
    const error = await discourse
      .createTopic({ title: 'Short', raw: 'Too short', dedupKey: 'k' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'invalid', status: 422, retryable: false });
    expect((error as Error).message).toContain('Title is too short');
    expect(await inspect('messages')).toEqual([]);
  });

  it('turns a rejected API key (403) into a non-retryable auth error naming the setting', async () => {
    const error = await connector({ apiKey: 'wrong-key' })
      .getUser('system')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth', retryable: false, status: 403 });
    expect((error as Error).message).toContain('connectors.discourse.apiKey');
    expect((error as Error).message).not.toContain('wrong-key');
  });

  it('turns a 429 storm into rate_limited with the advertised wait, then succeeds', async () => {
    await fault({ status: 429, count: 2, retryAfterSeconds: 7 });
    const lookup = () => discourse.getUser('system');
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await lookup().catch((e: unknown) => e)).toMatchObject({
        code: 'rate_limited',
        retryable: true,
        status: 429,
        retryAfterMs: 7_000,
      });
    }
    expect(await lookup()).toMatchObject({ username: 'system' });
  });

  it('reports a 5xx and an unreachable forum as unavailable (retryable)', async () => {
    await fault({ status: 503 });
    expect(await discourse.getUser('system').catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
    const down = connector({ baseUrl: `http://127.0.0.1:${await freePort()}` });
    expect(await down.getUser('system').catch((e: unknown) => e)).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
  });
});

describe('Discourse emulator fidelity', () => {
  it('rejects a request body the OpenAPI description forbids, as Discourse does (400)', async () => {
    const wrongType = await api('POST', '/posts.json', { topic_id: 'ten', raw: 'x'.repeat(30) });
    expect(wrongType).toEqual({
      status: 400,
      body: {
        errors: [expect.stringContaining('topic_id must be integer')],
        error_type: 'invalid_parameters',
      },
    });
    const unknownField = await api('POST', '/posts.json', {
      raw: 'x'.repeat(30),
      title: 'A title long enough',
      tags: 'x',
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors).toEqual([expect.stringContaining('(tags)')]);
    const missingRaw = await api('POST', '/posts.json', { title: 'A title long enough' });
    expect(missingRaw.body.errors).toEqual([expect.stringContaining("required property 'raw'")]);
    const usernamesAsArray = await api('PUT', '/groups/41/members.json', { usernames: ['ada'] });
    expect(usernamesAsArray.status).toBe(400);
    expect(await inspect('messages')).toEqual([]);
  });

  it('answers a wrong key with Discourse’s 403 body', async () => {
    expect(await api('GET', '/u/system.json', undefined, 'nope')).toEqual({
      status: 403,
      body: {
        errors: ['You are not permitted to view the requested resource.'],
        error_type: 'invalid_access',
      },
    });
  });

  it('sends the rate-limit body with Retry-After and extras.wait_seconds', async () => {
    await fault({ status: 429, retryAfterSeconds: 12 });
    const response = await fetch(`${sandbox.url}/u/system.json`, {
      headers: { 'Api-Key': API_KEY, 'Api-Username': 'system' },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('12');
    expect(await response.json()).toMatchObject({
      error_type: 'rate_limit',
      extras: { wait_seconds: 12 },
    });
  });

  it('answers POST /posts.json with the fields the OpenAPI description requires', async () => {
    const spec = JSON.parse(readFileSync(DEFAULT_DISCOURSE_SPEC, 'utf8')) as {
      paths: Record<
        string,
        Record<
          string,
          { responses: Record<string, { content: Record<string, { schema: object }> }> }
        >
      >;
    };
    const schema =
      spec.paths['/posts.json']!.post!.responses['200']!.content['application/json']!.schema;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    const created = await api('POST', '/posts.json', {
      title: 'A topic from the fidelity test',
      raw: 'A body that is long enough for Discourse.',
    });
    expect(created.status).toBe(200);
    expect(validate(created.body), JSON.stringify(validate.errors)).toBe(true);
  });

  it('does not let Discourse faults touch other vendors', async () => {
    await fault({ status: 503 });
    const hubspot = await fetch(`${sandbox.url}/crm/v3/objects/contacts/1`);
    expect(hubspot.status).toBe(401);
    expect((await api('GET', '/u/system.json')).status).toBe(503);
  });
});
