import { readFileSync } from 'node:fs';
import { WebClient, WebAPIPlatformError } from '@slack/web-api';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SLACK_SPEC } from '../../sandbox/slack/spec.js';
import {
  ADA,
  api,
  fault,
  GENERAL,
  messages,
  sandbox,
  seed,
  slack,
  TOKEN,
  useSlackEmulator,
} from '../support/slack-client.js';

/** The Web API emulator answers as Slack does: its checks, errors, limits and shapes. */

useSlackEmulator();

describe('Slack Web API emulator fidelity', () => {
  it('rejects a request the description forbids with Slack’s invalid_arguments', async () => {
    // Through the real WebClient: chat.postMessage without its required channel.
    const web = new WebClient(TOKEN, {
      slackApiUrl: `${sandbox.url}/api/`,
      retryConfig: { retries: 0 },
    });
    const error = await web
      .apiCall('chat.postMessage', { text: 'no channel' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIPlatformError);
    expect((error as WebAPIPlatformError).data).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] missing required field: channel'] },
    });
    // A number the description types as integer, and JSON bodies are checked the same way.
    expect(await api('conversations.history', { body: 'channel=C0GENERAL&limit=lots' })).toEqual({
      status: 200,
      body: {
        ok: false,
        error: 'invalid_arguments',
        response_metadata: { messages: [expect.stringContaining('limit')] },
      },
    });
    expect(
      (await api('users.lookupByEmail', { body: '{}', type: 'application/json' })).body,
    ).toMatchObject({
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] missing required field: email'] },
    });
    expect(await messages()).toEqual([]);
  });

  it('answers auth problems and unreadable bodies the way Slack does (HTTP 200, ok:false)', async () => {
    expect(await api('auth.test', { token: null })).toEqual({
      status: 200,
      body: { ok: false, error: 'not_authed' },
    });
    expect((await api('auth.test', { token: 'xoxb-nope' })).body).toEqual({
      ok: false,
      error: 'invalid_auth',
    });
    // A token inside a JSON body does not count: JSON calls authenticate with the header.
    expect(
      (
        await api('auth.test', {
          token: null,
          body: JSON.stringify({ token: TOKEN }),
          type: 'application/json',
        })
      ).body,
    ).toEqual({ ok: false, error: 'not_authed' });
    // In a form body it does.
    expect((await api('auth.test', { token: null, body: `token=${TOKEN}` })).body).toMatchObject({
      ok: true,
      user_id: 'U0TOWNBOT',
    });
    // Reads also work as GET with a query string, as Slack allows.
    const read = await fetch(`${sandbox.url}/api/users.info?user=${ADA}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(await read.json()).toMatchObject({ ok: true, user: { id: ADA, name: 'ada' } });
    expect(
      (await api('chat.postMessage', { body: '{"channel":', type: 'application/json' })).body,
    ).toEqual({ ok: false, error: 'invalid_json' });
  });

  it('sends 429 with Retry-After and Slack’s ratelimited body, and touches no other vendor', async () => {
    await fault({ status: 429, retryAfterSeconds: 12 });
    // Not a Slack method (a Discord-style path): the Slack fault stays queued.
    await fetch(`${sandbox.url}/api/v10/users/@me`);
    const response = await fetch(`${sandbox.url}/api/auth.test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('12');
    expect(await response.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('gives every message a realistic ts, unique and increasing per channel', async () => {
    const posted = [];
    for (let i = 0; i < 20; i++) posted.push(await slack.postMessage(GENERAL, `n${i}`, `ts-${i}`));
    const ts = posted.map((p) => p.ts);
    expect(new Set(ts).size).toBe(20);
    expect([...ts].sort((a, b) => Number(a) - Number(b))).toEqual(ts);
    for (const value of ts)
      expect(Math.abs(Number(value) * 1000 - Date.now())).toBeLessThan(60_000);
  });

  it('answers with the shapes the description documents', async () => {
    const spec = JSON.parse(readFileSync(DEFAULT_SLACK_SPEC, 'utf8')) as {
      definitions: object;
      paths: Record<string, Record<string, { responses: { 200: { schema: object } } }>>;
    };
    const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    ajv.addSchema({ definitions: spec.definitions }, 'slack');
    const schemaFor = (method: string) => {
      const operation = spec.paths[`/${method}`]!;
      const schema = (operation.post ?? operation.get)!.responses[200].schema;
      return ajv.compile(
        JSON.parse(
          JSON.stringify(schema).replaceAll('"#/definitions/', '"slack#/definitions/'),
        ) as object,
      );
    };
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'root' });
    await slack.replyInThread(GENERAL, root!.ts, 'reply', 'shape-reply');
    const answers: [string, string][] = [
      ['auth.test', ''],
      ['chat.postMessage', `channel=${GENERAL}&text=hello`],
      ['users.info', `user=${ADA}`],
      ['users.lookupByEmail', 'email=grace@example.com'],
      ['conversations.open', `users=${ADA}`],
      ['conversations.history', `channel=${GENERAL}`],
      ['conversations.replies', `channel=${GENERAL}&ts=${root!.ts}`],
    ];
    for (const [method, body] of answers) {
      const validate = schemaFor(method);
      const { body: answer } = await api(method, { body });
      expect(answer.ok, method).toBe(true);
      expect(validate(answer), `${method}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});
