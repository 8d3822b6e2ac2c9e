// Every webhook route the hub mounts from config/examples/sandbox.yaml, for the fuzz suite: how
// each vendor signs a delivery (with the secrets of that config), and valid deliveries to mutate.
// Tests may name vendors; the hub's code outside connectors/ does not.
import { signDiscordRequest } from '../../connectors/discord/signature.js';
import { signDiscourseBody } from '../../connectors/discourse/signature.js';
import { SECRET_HEADER } from '../../connectors/freshdesk/signature.js';
import { signHubSpotV3 } from '../../connectors/hubspot/signature.js';
import { signIntercomBody } from '../../connectors/intercom/signature.js';
import { signSlackRequest } from '../../connectors/slack/signature.js';
import { signZendeskWebhook } from '../../connectors/zendesk/signature.js';
import type { Config } from '../../config/schema.js';
import {
  SANDBOX_DISCORD_SIGNING_SEED,
  interactionKeys,
} from '../../sandbox/discord/interactions.js';

/** A valid delivery: a JSON body (or form fields), and the unsigned headers that go with it. */
export interface Seed {
  body: unknown;
  /** Slash commands: `body` is a record of form fields, sent url-encoded. */
  form?: boolean;
  headers?: Record<string, string>;
}

export interface FuzzRoute {
  path: string;
  seeds: Seed[];
  /**
   * Where the vendor signs a time: the header, and the time as the vendor writes it. Absent for
   * vendors that sign the body only (Discourse, Intercom) or send a shared secret (Freshdesk).
   */
  clock?: { header: string; stamp(date: Date): string };
  /**
   * The headers that sign `raw` sent to `url`, with `timestamp` as the signed time (if any); with
   * `forger`, in the vendor's scheme but with a key that is not the config's.
   */
  sign(raw: Buffer, url: string, timestamp: string, forger?: boolean): Record<string, string>;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };
const seconds = (date: Date) => String(Math.floor(date.getTime() / 1000));

/** The body bytes of a seed (or a mutation of one). */
export function encode(body: unknown, form = false): Buffer {
  if (form && body && typeof body === 'object' && !Array.isArray(body)) {
    const fields = Object.entries(body as Record<string, unknown>).map(
      ([key, value]): [string, string] => [
        key,
        typeof value === 'string' ? value : (JSON.stringify(value) ?? ''),
      ],
    );
    return Buffer.from(new URLSearchParams(fields).toString());
  }
  return Buffer.from(JSON.stringify(body) ?? 'null');
}

export function fuzzRoutes(config: Config): FuzzRoute[] {
  const { slack, discourse, hubspot, zendesk, intercom, freshdesk } = config.connectors;
  if (!slack || !discourse || !hubspot?.clientSecret || !zendesk || !intercom || !freshdesk)
    throw new Error('the fuzz suite needs every connector of config/examples/sandbox.yaml');
  const discordKey = interactionKeys(SANDBOX_DISCORD_SIGNING_SEED).privateKey;
  const forgerKey = interactionKeys().privateKey;
  const secret = (real: string, forger = false) => (forger ? `${real}-forged` : real);
  const slackSigned = (raw: Buffer, _url: string, timestamp: string, forger?: boolean) => ({
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': signSlackRequest(secret(slack.signingSecret, forger), timestamp, raw),
  });
  const slackClock = { header: 'x-slack-request-timestamp', stamp: seconds };
  const guild = config.connectors.discord?.guildId ?? '1213093380096000001';
  const instance = discourse.baseUrl;

  return [
    {
      path: '/webhooks/slack',
      clock: slackClock,
      sign: slackSigned,
      seeds: slackSeeds().map((body) => ({ body, headers: JSON_TYPE })),
    },
    {
      path: '/webhooks/slack/commands',
      clock: slackClock,
      sign: slackSigned,
      seeds: [{ body: slashCommand, form: true, headers: FORM_TYPE }],
    },
    {
      path: '/webhooks/discord',
      clock: { header: 'x-signature-timestamp', stamp: seconds },
      sign: (raw, _url, timestamp, forger) => ({
        'x-signature-timestamp': timestamp,
        'x-signature-ed25519': signDiscordRequest(forger ? forgerKey : discordKey, timestamp, raw),
      }),
      seeds: [{ type: 1 }, ticketInteraction(guild)].map((body) => ({ body, headers: JSON_TYPE })),
    },
    {
      path: '/webhooks/discourse',
      sign: (raw, _url, _timestamp, forger) => ({
        'x-discourse-event-signature': signDiscourseBody(
          secret(discourse.webhookSecret, forger),
          raw,
        ),
      }),
      seeds: discourseSeeds().map(([event, body]) => ({
        body,
        headers: {
          ...JSON_TYPE,
          'x-discourse-instance': instance,
          'x-discourse-event': event,
          'x-discourse-event-type': event.split('_')[0]!,
        },
      })),
    },
    {
      path: '/webhooks/hubspot',
      clock: { header: 'x-hubspot-request-timestamp', stamp: (date) => String(date.getTime()) },
      sign: (raw, url, timestamp, forger) => ({
        'x-hubspot-request-timestamp': timestamp,
        'x-hubspot-signature-v3': signHubSpotV3(secret(hubspot.clientSecret!, forger), {
          method: 'POST',
          uri: url,
          rawBody: raw,
          timestamp,
        }),
      }),
      seeds: hubspotSeeds().map((body) => ({ body, headers: JSON_TYPE })),
    },
    {
      path: '/webhooks/zendesk',
      clock: {
        header: 'x-zendesk-webhook-signature-timestamp',
        stamp: (date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
      sign: (raw, _url, timestamp, forger) => ({
        'x-zendesk-webhook-signature-timestamp': timestamp,
        'x-zendesk-webhook-signature': signZendeskWebhook(
          secret(zendesk.webhookSecret, forger),
          timestamp,
          raw,
        ),
      }),
      seeds: zendeskSeeds().map((body) => ({ body, headers: JSON_TYPE })),
    },
    {
      path: '/webhooks/intercom',
      sign: (raw, _url, _timestamp, forger) => ({
        'x-hub-signature': signIntercomBody(secret(intercom.clientSecret, forger), raw),
      }),
      seeds: intercomSeeds().map((body) => ({ body, headers: JSON_TYPE })),
    },
    {
      path: '/webhooks/freshdesk',
      sign: (_raw, _url, _timestamp, forger) => ({
        [SECRET_HEADER]: secret(freshdesk.webhookSecret, forger),
      }),
      seeds: freshdeskSeeds().map((body) => ({ body, headers: JSON_TYPE })),
    },
  ];
}

const envelope = (event: Record<string, unknown>, eventId: string) => ({
  token: 'x',
  team_id: 'T0TEST',
  api_app_id: 'A0TEST',
  event,
  type: 'event_callback',
  event_id: eventId,
  event_time: 1_767_000_000,
  authed_users: [],
});

function slackSeeds(): unknown[] {
  const user = {
    id: 'U0FUZZ01',
    team_id: 'T0TEST',
    name: 'fuzz',
    profile: { email: 'fuzz@example.com', real_name: 'Fuzz Tester' },
  };
  return [
    { token: 't', challenge: 'abc123', type: 'url_verification' },
    envelope({ type: 'team_join', event_ts: '1767000000.000100', user }, 'EvFuzzJoin'),
    envelope({ type: 'user_change', event_ts: '1767000000.000100', user }, 'EvFuzzChange'),
    envelope(
      {
        type: 'message',
        channel: 'C0GENERAL',
        user: 'U0FUZZ01',
        text: 'I need a refund for billing',
        ts: '1767000000.000200',
        thread_ts: '1767000000.000100',
      },
      'EvFuzzMsg',
    ),
    envelope(
      {
        type: 'reaction_added',
        user: 'U0FUZZ01',
        reaction: 'ticket',
        item: { type: 'message', channel: 'C0GENERAL', ts: '1767000000.000100' },
        event_ts: '1767000000.000300',
      },
      'EvFuzzReact',
    ),
  ];
}

const slashCommand = {
  token: 'x',
  team_id: 'T0TEST',
  team_domain: 'example',
  channel_id: 'C0GENERAL',
  channel_name: 'general',
  user_id: 'U0FUZZ01',
  user_name: 'fuzz',
  command: '/ticket',
  text: 'login is broken',
  api_app_id: 'A0TEST',
  response_url: 'https://hooks.slack.com/commands/1234/5678',
  trigger_id: '13345224609.738474920.8088930838d88f008e0',
};

function ticketInteraction(guild: string) {
  return {
    application_id: '1213093380096000002',
    channel: { id: '1213093380096000011', guild_id: guild, type: 0, parent_id: null },
    channel_id: '1213093380096000011',
    data: {
      id: '1213095000000000001',
      name: 'ticket',
      options: [{ name: 'subject', type: 3, value: 'I cannot log in' }],
      type: 1,
    },
    guild_id: guild,
    id: '1310270000000000001',
    member: {
      roles: [],
      user: {
        id: '1213093380096000031',
        username: 'grace',
        global_name: 'Grace',
        discriminator: '0',
      },
    },
    token: 'aW50ZXJhY3Rpb246MTMxMDI3MDAwMDAwMDAwMDAwMTp0b2tlbg',
    type: 2,
    version: 1,
  };
}

function discourseSeeds(): [string, unknown][] {
  const post = {
    id: 555,
    topic_id: 77,
    post_number: 2,
    post_type: 1,
    user_id: 1001,
    username: 'ada',
    name: 'Ada',
    created_at: '2026-01-08T14:25:30.000Z',
    raw: 'Thanks, that worked! @support refund please',
    cooked: '<p>Thanks, that worked!</p>',
    category_id: 4,
    topic_archetype: 'regular',
    post_url: '/t/password-help/77/2',
    admin: false,
    moderator: true,
  };
  return [
    ['ping', { ping: 'OK' }],
    [
      'user_created',
      {
        user: {
          id: 1001,
          username: 'ada',
          name: 'Ada',
          email: 'ada@example.com',
          created_at: '2026-01-08T14:25:30.000Z',
        },
      },
    ],
    ['post_created', { post }],
    ['post_liked', { like: { post, user: { id: 1002, username: 'grace', name: 'Grace' } } }],
    ['topic_created', { topic: { id: 77, title: 'Password help', category_id: 4 } }],
  ];
}

function hubspotSeeds(): unknown[] {
  const base = {
    eventId: 100,
    subscriptionId: 200,
    portalId: 62515,
    appId: 300,
    occurredAt: 1_767_000_000_000,
    attemptNumber: 0,
    objectId: 1234,
    changeSource: 'CRM',
  };
  return [
    [{ ...base, subscriptionType: 'contact.creation' }],
    [
      { ...base, eventId: 101, subscriptionType: 'contact.propertyChange', propertyName: 'email' },
      { ...base, eventId: 102, subscriptionType: 'contact.deletion' },
    ],
    [
      {
        ...base,
        eventId: 103,
        subscriptionType: 'contact.merge',
        primaryObjectId: 1234,
        mergedObjectIds: [5678],
        newObjectId: 1234,
      },
    ],
  ];
}

function zendeskSeeds(): unknown[] {
  const common = {
    account_id: 22129848,
    subject: 'zen:ticket:5158',
    time: '2026-01-08T16:45:20.987654321Z',
    zendesk_event_version: '2022-11-06',
  };
  return [
    {
      ...common,
      id: 'zen-fuzz-1',
      type: 'zen:event-type:ticket.status_changed',
      detail: {
        id: '5158',
        external_id: 'handoff:discourse:77',
        requester_id: '1',
        status: 'SOLVED',
      },
      event: { current: 'SOLVED', previous: 'OPEN' },
    },
    {
      ...common,
      id: 'zen-fuzz-2',
      type: 'zen:event-type:ticket.comment_added',
      detail: {
        id: '5158',
        external_id: 'handoff:discourse:77',
        requester_id: '1',
        status: 'OPEN',
      },
      event: {
        comment: {
          id: 9876543210,
          body: 'We are investigating.',
          is_public: true,
          author: { id: 2, is_staff: true, name: 'Support Agent' },
        },
      },
    },
  ];
}

function intercomSeeds(): unknown[] {
  const notification = (topic: string, item: Record<string, unknown>) => ({
    type: 'notification_event',
    app_id: 'abc123de',
    data: { type: 'notification_event_data', item },
    links: {},
    id: `notif_fuzz-${topic}`,
    topic,
    delivery_status: 'pending',
    delivery_attempts: 1,
    delivered_at: 0,
    first_sent_at: 1_767_000_000,
    created_at: 1_767_000_000,
    self: null,
  });
  const ticket = {
    type: 'ticket',
    id: '640',
    ticket_id: '12',
    ticket_attributes: { _default_title_: 'Reset mail', townhall_ref: 'th0123' },
    ticket_state: { type: 'ticket_state', id: '8004', category: 'waiting_on_customer' },
    ticket_parts: {
      ticket_parts: [
        {
          id: '7001',
          part_type: 'comment',
          body: '<p>Try again now</p>',
          created_at: 1_767_000_100,
          author: { type: 'admin', id: '991267900', name: 'Agent' },
        },
      ],
    },
  };
  return [
    { type: 'notification_event', topic: 'ping', data: { item: {} } },
    notification('ticket.state.updated', ticket),
    notification('ticket.admin.replied', ticket),
  ];
}

function freshdeskSeeds(): unknown[] {
  const reply = {
    event: 'reply',
    ticket_id: 5158,
    external_id: 'handoff:discourse:77',
    status: 'Open',
    body: 'We are on it.',
    public: true,
    author_id: '43000000002',
    author_name: 'Support Agent',
    author_type: 'agent',
    occurred_at: '2026-01-08T14:25:30Z',
  };
  return [
    reply,
    { ...reply, event: 'note', public: false },
    {
      event: 'status',
      ticket_id: 5158,
      external_id: 'handoff:discourse:77',
      status: 'Resolved',
      occurred_at: '2026-01-08T14:25:30Z',
    },
  ];
}
