import { describe, expect, it } from 'vitest';
import type { Emitted } from '../support/slack-webhook.js';
import {
  ADA,
  countEvents,
  emit,
  GENERAL,
  sandbox,
  storedEvent,
  t,
  useSlackWebhook,
} from '../support/slack-webhook.js';

/** What townhall stores of each event and slash command the sandbox emitter delivers. */

useSlackWebhook();

describe('POST /webhooks/slack through the sandbox emitter', () => {
  it('stores every handled event type, normalized', async () => {
    const root = await emit({ type: 'message', channel: GENERAL, user: ADA, text: 'Login fails' });
    expect(root.status).toBe(200);
    const cases: [string, Record<string, unknown>, (e: Emitted) => string, object][] = [
      [
        'team_join',
        {
          type: 'team_join',
          user: {
            id: 'U0HEDYLAM',
            name: 'hedy',
            profile: { email: 'hedy@example.com', real_name: 'Hedy Lamarr' },
          },
        },
        (e) => `slack:${e.eventId}`,
        {
          type: 'member.joined',
          member: { userId: 'U0HEDYLAM', email: 'hedy@example.com', name: 'Hedy Lamarr' },
        },
      ],
      [
        'user_change',
        {
          type: 'user_change',
          user: { id: 'U0HEDYLAM', name: 'hedy', profile: { real_name: 'Hedy K. Lamarr' } },
        },
        (e) => `slack:${e.eventId}`,
        { type: 'member.updated', member: { userId: 'U0HEDYLAM', name: 'Hedy K. Lamarr' } },
      ],
      [
        'user_change (deactivated)',
        { type: 'user_change', user: { id: 'U0HEDYLAM', name: 'hedy', deleted: true } },
        (e) => `slack:${e.eventId}`,
        { type: 'member.left', member: { userId: 'U0HEDYLAM' } },
      ],
      [
        'message (thread reply)',
        {
          type: 'message',
          channel: GENERAL,
          user: 'U0GRACEHO',
          text: 'Same here',
          thread_ts: root.ts,
        },
        (e) => `slack:message:${GENERAL}:${e.ts}`,
        { type: 'message.posted', channelId: GENERAL, threadId: root.ts, text: 'Same here' },
      ],
      [
        'app_mention',
        { type: 'app_mention', channel: GENERAL, user: ADA, text: '<@U0TOWNBOT> ticket please' },
        (e) => `slack:message:${GENERAL}:${e.ts}`,
        {
          type: 'message.posted',
          channelId: GENERAL,
          member: { userId: ADA, communityId: 'T0SANDBOX' },
        },
      ],
      [
        'reaction_added',
        {
          type: 'reaction_added',
          user: 'U0LINUSTO',
          reaction: 'ticket',
          item_user: ADA,
          item: { type: 'message', channel: GENERAL, ts: root.ts },
        },
        (e) => `slack:${e.eventId}`,
        { type: 'reaction.added', emoji: 'ticket', channelId: GENERAL, messageId: root.ts },
      ],
    ];
    expect((await storedEvent(`slack:message:${GENERAL}:${root.ts}`))?.event).toMatchObject({
      type: 'message.posted',
      member: { userId: ADA },
      messageId: root.ts,
      url: `https://slack.com/archives/${GENERAL}/p${root.ts!.replace('.', '')}`,
      text: 'Login fails',
    });
    for (const [name, event, idOf, expected] of cases) {
      const emitted = await emit(event);
      expect(emitted.status, name).toBe(200);
      const row = await storedEvent(idOf(emitted));
      expect(row?.event, name).toMatchObject({ platform: 'slack', ...expected });
      expect(row?.processed_at, name).not.toBeNull();
    }
  });

  it('stores a message once when Slack sends it as both message and app_mention', async () => {
    const message = await emit({
      type: 'message',
      channel: GENERAL,
      user: ADA,
      text: '<@U0TOWNBOT> hi',
    });
    expect(JSON.parse(message.response)).toEqual({ ok: true, outcome: 'no-workflow' });
    const mention = await emit({
      type: 'app_mention',
      channel: GENERAL,
      user: ADA,
      text: '<@U0TOWNBOT> hi',
      ts: message.ts,
    });
    expect(mention.eventId).not.toBe(message.eventId);
    expect(JSON.parse(mention.response)).toEqual({ ok: true, outcome: 'duplicate' });
    const rows = await t.db
      .selectFrom('received_events')
      .select('event_id')
      .where('event_id', 'like', `slack:message:${GENERAL}:${message.ts}%`)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('acknowledges bot posts, edits and unknown events with 200 and stores nothing', async () => {
    const before = await countEvents();
    for (const event of [
      {
        type: 'message',
        channel: GENERAL,
        user: 'U0TOWNBOT',
        bot_id: 'B0TOWNBOT',
        text: 'Ticket #1',
        ts: '1700000000.000100',
      },
      {
        type: 'message',
        subtype: 'message_changed',
        hidden: true,
        channel: GENERAL,
        ts: '1700000000.000200',
      },
      {
        type: 'message',
        subtype: 'channel_join',
        channel: GENERAL,
        user: ADA,
        text: '<@U0ADALOVE> has joined',
        ts: '1700000000.000300',
      },
      {
        type: 'member_left_channel',
        user: ADA,
        channel: GENERAL,
        channel_type: 'C',
        team: 'T0SANDBOX',
      },
      { type: 'emoji_changed', subtype: 'add', name: 'partyparrot' },
    ]) {
      const emitted = await emit(event);
      expect(emitted.status).toBe(200);
      expect(JSON.parse(emitted.response)).toMatchObject({ ok: true, ignored: expect.any(String) });
    }
    expect(await countEvents()).toBe(before);
  });
});

describe('POST /webhooks/slack/commands', () => {
  it('answers a slash command with an ephemeral message within Slack’s 3 s, once stored', async () => {
    const started = Date.now();
    const response = await fetch(`${sandbox.url}/_sandbox/slack/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        command: '/ticket',
        text: 'login is broken',
        user_id: 'U0GRACEHO',
        user_name: 'grace',
      }),
    });
    const elapsed = Date.now() - started;
    const body = (await response.json()) as {
      status: number;
      trigger_id: string;
      response: unknown;
    };
    expect(response.status).toBe(200);
    expect(body.response).toEqual({
      response_type: 'ephemeral',
      text: expect.stringContaining('/ticket'),
    });
    expect(elapsed).toBeLessThan(1_000);
    const row = await storedEvent(`slack:command:${body.trigger_id}`);
    expect(row?.event).toMatchObject({
      type: 'command.invoked',
      command: 'ticket',
      text: 'login is broken',
      channelId: GENERAL,
      member: { userId: 'U0GRACEHO', communityId: 'T0SANDBOX', handle: 'grace' },
    });
    expect(row?.processed_at).not.toBeNull();
  });
});
