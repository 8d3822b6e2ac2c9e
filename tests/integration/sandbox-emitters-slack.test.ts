import { describe, expect, it } from 'vitest';
import { delivered, inspect, post, useEmitterSandbox } from '../support/sandbox-emitters.js';

/**
 * The Slack emitter takes Events API payloads as Slack sends them, envelope and all, besides the
 * sandbox's short forms; a payload missing what Slack always sends is refused with 400 naming
 * the field.
 */

useEmitterSandbox();

describe('POST /_sandbox/slack/emit', () => {
  /** A message event as the Events API documents it, from someone the workspace has not seen. */
  const realMessage = {
    type: 'message',
    channel: 'C0NEWCHAN1',
    user: 'U0NEWUSER1',
    text: 'Hello world',
    ts: '1355517523.000005',
    event_ts: '1355517523.000005',
    channel_type: 'channel',
  };

  it('delivers a real message event as given, and adds its author and channel to the workspace', async () => {
    const emitted = await post('/_sandbox/slack/emit', realMessage);
    expect(emitted.status).toBe(200);
    expect(emitted.body).toMatchObject({ ts: realMessage.ts, channel: realMessage.channel });
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      path: '/webhooks/slack',
      body: { type: 'event_callback', event: realMessage },
    });
    const users = await inspect<{ id: string }[]>('/_sandbox/slack/users');
    expect(users.map((user) => user.id)).toContain('U0NEWUSER1');
    const messages = await inspect<{ channel: string; ts: string }[]>('/_sandbox/slack/messages');
    expect(messages).toContainEqual(
      expect.objectContaining({ channel: 'C0NEWCHAN1', ts: realMessage.ts }),
    );
  });

  it('delivers a whole Events API envelope with its own event_id', async () => {
    const emitted = await post('/_sandbox/slack/emit', {
      token: 'verification-token',
      team_id: 'T0SANDBOX',
      api_app_id: 'A0SANDBOX',
      type: 'event_callback',
      event_id: 'Ev0REALONE1',
      event_time: 1355517523,
      event: {
        type: 'team_join',
        user: {
          id: 'U0JOINER01',
          team_id: 'T0SANDBOX',
          name: 'dorothy',
          real_name: 'Dorothy Vaughan',
          profile: { email: 'dorothy@example.com', real_name: 'Dorothy Vaughan' },
          is_bot: false,
        },
        event_ts: '1355517523.000006',
      },
    });
    expect(emitted.status).toBe(200);
    expect(emitted.body.eventId).toBe('Ev0REALONE1');
    expect(delivered[0]?.body).toMatchObject({
      event_id: 'Ev0REALONE1',
      event: { type: 'team_join', user: { id: 'U0JOINER01' } },
    });
  });

  it.each([
    [{ type: 'team_join', user: { name: 'anon' } }, 'user.id is required'],
    [{ type: 'team_join' }, 'user is required'],
    [{ type: 'message', channel: 'C0GENERAL', text: 'who am I' }, 'user is required'],
    [
      { type: 'message', user: 'ada', text: 'hi' },
      'user must be a user id such as U0ADALOVE, not ada',
    ],
    [
      { type: 'message', user: 'U0ADALOVE', ts: 'yesterday' },
      'ts must be a Slack ts like 1355517523.000005',
    ],
    [{ type: 'reaction_added', user: 'U0ADALOVE', reaction: 'ticket' }, 'item is required'],
    [
      { type: 'reaction_added', user: 'U0ADALOVE', reaction: 'ticket', item: { type: 'message' } },
      'item.channel is required',
    ],
    [
      { type: 'event_callback', event: { type: 'team_join', user: {} } },
      'event.user.id is required',
    ],
  ])('answers 400 naming the field: %j', async (event, error) => {
    const emitted = await post('/_sandbox/slack/emit', event);
    expect(emitted).toEqual({ status: 400, body: { error } });
    expect(delivered).toHaveLength(0);
  });
});
