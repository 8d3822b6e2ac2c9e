import { describe, expect, it } from 'vitest';
import { communityEvent } from '../../connectors/events.js';
import { slackCommandsInbound } from '../../connectors/slack/commands.js';
import { slackInbound } from '../../connectors/slack/inbound.js';
import { signSlackRequest } from '../../connectors/slack/signature.js';
import { MalformedPayloadError } from '../../connectors/types.js';

const FORM = 'application/x-www-form-urlencoded';
const now = new Date('2026-11-24T12:00:00Z');
const nowSeconds = String(Math.floor(now.getTime() / 1000));

/** The slash command body from Slack's "Implementing slash commands" guide, byte for byte. */
const docsBody =
  'token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example&enterprise_id=E0001' +
  '&enterprise_name=Globular%20Construct%20Inc&channel_id=C2147483705&channel_name=test' +
  '&user_id=U2147483697&user_name=Steve&command=/weather&text=94070' +
  '&response_url=https://hooks.slack.com/commands/1234/5678' +
  '&trigger_id=13345224609.738474920.8088930838d88f008e0&api_app_id=A123456';

const parse = (body: string, contentType = FORM) =>
  slackCommandsInbound.parse({
    rawBody: Buffer.from(body),
    headers: { 'content-type': contentType, 'x-slack-request-timestamp': nowSeconds },
  });

describe('Slack slash commands', () => {
  it('turns the documented command body into command.invoked with an ephemeral reply', () => {
    const result = parse(docsBody, `${FORM}; charset=utf-8`);
    expect(result).toEqual({
      kind: 'event',
      event: {
        type: 'command.invoked',
        eventId: 'slack:command:13345224609.738474920.8088930838d88f008e0',
        platform: 'slack',
        occurredAt: '2026-11-24T12:00:00.000Z',
        member: { userId: 'U2147483697', communityId: 'T0001', handle: 'Steve' },
        command: 'weather',
        text: '94070',
        channelId: 'C2147483705',
      },
      reply: {
        response_type: 'ephemeral',
        text: expect.stringContaining('/weather'),
      },
      answer: expect.any(Function),
    });
    if (result.kind === 'event') expect(communityEvent.safeParse(result.event).success).toBe(true);
    // The router's answer, in Slack's form: shown only to the person who typed the command.
    if (result.kind === 'event')
      expect(result.answer?.('a ticket is on its way')).toEqual({
        response_type: 'ephemeral',
        text: 'a ticket is on its way',
      });
  });

  it('keeps text with spaces, mentions and an empty text', () => {
    const spaced = parse(
      docsBody.replace('text=94070', 'text=login+is+broken+for+%3C%40U123%7Cbob%3E'),
    );
    expect(spaced.kind === 'event' && spaced.event).toMatchObject({
      text: 'login is broken for <@U123|bob>',
    });
    const empty = parse(docsBody.replace('text=94070', 'text='));
    expect(empty.kind === 'event' && empty.event).toMatchObject({ text: '' });
  });

  it.each<[string, string, string?]>([
    ['a body without trigger_id', docsBody.replace(/&trigger_id=[^&]*/, '')],
    ['a command without its slash', docsBody.replace('command=/weather', 'command=weather')],
    ['a body without user_id', docsBody.replace('&user_id=U2147483697', '')],
    ['a body without text', docsBody.replace('&text=94070', '')],
    ['a JSON body', JSON.stringify({ command: '/weather', text: '94070' }), 'application/json'],
  ])('rejects %s as malformed', (_name, body, contentType) => {
    expect(() => parse(body, contentType)).toThrow(MalformedPayloadError);
  });
});

/** Both Slack endpoints share the v0 scheme: the same table of forgeries fails for each. */
describe.each([
  [
    'Events API',
    slackInbound,
    Buffer.from('{"type":"event_callback", "team_id":"T1","event_id":"Ev1"}'),
  ],
  ['slash commands', slackCommandsInbound, Buffer.from(docsBody)],
])('%s signatures', (_endpoint, connector, rawBody) => {
  const secret = 'test-signing-secret';
  const verify = (body: Buffer, timestamp: string, signature: string) =>
    connector.verify(
      {
        rawBody: body,
        headers: { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
      },
      { signingSecret: secret },
      now,
    );

  it('accepts the body as signed', () => {
    expect(verify(rawBody, nowSeconds, signSlackRequest(secret, nowSeconds, rawBody))).toBe(true);
  });

  it('rejects a signature made with another secret (forged)', () => {
    expect(verify(rawBody, nowSeconds, signSlackRequest('forged', nowSeconds, rawBody))).toBe(
      false,
    );
  });

  it('rejects a request older than five minutes (stale), though correctly signed', () => {
    const stale = String(Number(nowSeconds) - 301);
    expect(verify(rawBody, stale, signSlackRequest(secret, stale, rawBody))).toBe(false);
  });

  it('rejects the same content re-serialized (the signature covers the raw bytes)', () => {
    const signature = signSlackRequest(secret, nowSeconds, rawBody);
    const text = rawBody.toString();
    const reserialized = Buffer.from(
      text.startsWith('{')
        ? JSON.stringify(JSON.parse(text))
        : new URLSearchParams(new URLSearchParams(text)).toString(),
    );
    expect(reserialized.equals(rawBody)).toBe(false);
    expect(verify(reserialized, nowSeconds, signature)).toBe(false);
  });
});
