import { describe, expect, it } from 'vitest';
import { ADA, countEvents, GENERAL, post, useSlackWebhook } from '../support/slack-webhook.js';

/** Both Slack endpoints check the signature over the bytes sent, then the body. */

useSlackWebhook();

describe('Slack signatures and bodies at both endpoints', () => {
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  // Slack's JSON escapes slashes ("https:\/\/..."); a parse-and-stringify copy does not.
  const eventBody = JSON.stringify({
    token: 'x',
    team_id: 'T0SANDBOX',
    api_app_id: 'A0SANDBOX',
    event: {
      type: 'team_join',
      user: {
        id: 'U0FORGED1',
        name: 'mallory',
        profile: {
          email: 'mallory@example.com',
          image_72: 'https://avatars.slack-edge.com/m_72.png',
        },
      },
      event_ts: '1.1',
    },
    type: 'event_callback',
    event_id: 'EvFORGED01',
    event_time: 1_700_000_000,
    authed_users: [],
  }).replaceAll('/', '\\/');
  const commandBody =
    'token=x&team_id=T0SANDBOX&team_domain=sandbox&channel_id=C0GENERAL&channel_name=general' +
    '&user_id=U0FORGED1&user_name=mallory&command=/ticket&text=free+stuff&api_app_id=A0SANDBOX' +
    '&response_url=https://hooks.slack.com/commands/T0SANDBOX/1/abc&trigger_id=1.2.forged';
  const endpoints = [
    ['/webhooks/slack', eventBody, 'application/json', JSON.stringify(JSON.parse(eventBody))],
    [
      '/webhooks/slack/commands',
      commandBody,
      'application/x-www-form-urlencoded',
      new URLSearchParams(new URLSearchParams(commandBody)).toString(),
    ],
  ] as const;

  it.each(endpoints)(
    '%s rejects forged, stale and re-serialized requests with 401',
    async (path, body, type, reserialized) => {
      const before = await countEvents();
      expect(reserialized).not.toBe(body);
      expect((await post(path, body, type, { secret: 'not-the-secret' })).status).toBe(401);
      expect((await post(path, body, type, { timestamp: nowSeconds() - 301 })).status).toBe(401);
      // Signed over the bytes Slack sent, delivered as an equivalent but re-serialized body.
      expect((await post(path, reserialized, type, { signed: body })).status).toBe(401);
      expect(await countEvents()).toBe(before);
      // The same request, correctly signed, is accepted: the rejections were about the signature.
      expect((await post(path, body, type)).status).toBe(200);
      expect(await countEvents()).toBe(before + 1);
    },
  );

  it.each([
    ['/webhooks/slack', '{"type":"event_callback",', 'application/json'],
    [
      '/webhooks/slack',
      JSON.stringify({
        ...JSON.parse(eventBody),
        event_id: 'EvBAD00001',
        event: { type: 'message', channel: GENERAL, user: ADA, text: 'no ts' },
      }),
      'application/json',
    ],
    [
      '/webhooks/slack/commands',
      commandBody.replace('&trigger_id=1.2.forged', ''),
      'application/x-www-form-urlencoded',
    ],
    [
      '/webhooks/slack/commands',
      JSON.stringify({ command: '/ticket', text: 'x' }),
      'application/json',
    ],
  ])(
    '%s answers a signed but malformed body with 400 and stores nothing',
    async (path, body, type) => {
      const before = await countEvents();
      const response = await post(path, body, type);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        error: expect.stringContaining('malformed slack payload'),
      });
      expect(await countEvents()).toBe(before);
    },
  );
});
