// Staff are recorded and counted nowhere, driven from outside: signed Slack, Discourse and
// Discord deliveries through the real server, with `members.staff` naming one Slack user by id,
// the Discourse moderators by role and a Discord role by id. Staff activity lands in the ledger;
// their roll-ups stay at zero with no milestones, while the members beside them are counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MembersConfig } from '../../config/members.js';
import { DEFAULT_MEMBERS_CONFIG } from '../../config/members.js';
import { signDiscordRequest } from '../../connectors/discord/signature.js';
import { DISCORD_EPOCH_MS } from '../../connectors/discord/snowflake.js';
import { signDiscourseBody } from '../../connectors/discourse/signature.js';
import { memberView } from '../../store/member-view.js';
import type { TestDb } from '../support/db.js';
import type { StoreOnlyHub } from '../support/store-only-hub.js';
import { slackAndDiscourse, startStoreOnlyHub } from '../support/store-only-hub.js';
import { app as discordApp, config as discordConfig } from '../support/discord-interactions.js';
import { postSlack } from '../support/slack.js';

const SLACK_SECRET = 'member-staff-slack-secret';
const DISCOURSE_SECRET = 'member-staff-discourse-secret';
const FORUM = 'https://forum.example.com';
const DISCORD_MODERATOR_ROLE = '1199384020519211022';
const DISCORD_MEMBER_ROLE = '1199384020519211020';

/** Who is staff: one Slack user by id, Discourse moderators and a Discord role by role. */
const members: MembersConfig = {
  ...DEFAULT_MEMBERS_CONFIG,
  staff: {
    users: ['slack:U0STAFF01'],
    roles: ['discourse:moderator', `discord:${DISCORD_MODERATOR_ROLE}`, 'slack:admin'],
  },
};

let hub: StoreOnlyHub;
let t: TestDb;
let url: string;

beforeAll(async () => {
  hub = await startStoreOnlyHub(
    {
      ...slackAndDiscourse({ slack: SLACK_SECRET, discourse: DISCOURSE_SECRET, forum: FORUM }),
      discord: discordConfig,
    },
    { members },
  );
  ({ t, url } = hub);
});
afterAll(() => hub?.close());

let sequence = 0;
const at = () => Math.floor(Date.now() / 1000) - 3_600 + ++sequence;

/** A Slack channel message: message events carry no user flags, only the user id. */
function slackMessage(user: string) {
  const n = ++sequence;
  const ts = `${at()}.${String(n).padStart(6, '0')}`;
  return postSlack(url, SLACK_SECRET, {
    token: 'x',
    team_id: 'T0TEST',
    api_app_id: 'A0TEST',
    event: {
      type: 'message',
      channel: 'C0GENERAL',
      user,
      text: `message ${n}`,
      ts,
      team: 'T0TEST',
    },
    type: 'event_callback',
    event_id: `EvSTAFF${n}`,
    event_time: at(),
  });
}

/** post_created as WebHookPostSerializer sends it, with the author's standing. */
function discoursePost(userId: number, standing: { moderator: boolean; staff: boolean }) {
  const n = ++sequence;
  const body = Buffer.from(
    JSON.stringify({
      post: {
        id: n,
        username: `user${userId}`,
        name: `User ${userId}`,
        created_at: new Date(at() * 1000).toISOString(),
        cooked: `<p>post ${n}</p>`,
        raw: `post ${n}`,
        post_number: 2,
        post_type: 1,
        topic_id: 77,
        category_id: 4,
        user_id: userId,
        post_url: `/t/topic/77/${n}`,
        primary_group_name: null,
        admin: false,
        ...standing,
      },
    }),
  );
  return fetch(`${url}/webhooks/discourse`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-discourse-instance': FORUM,
      'x-discourse-event-id': String(n),
      'x-discourse-event-type': 'post',
      'x-discourse-event': 'post_created',
      'x-discourse-event-signature': signDiscourseBody(DISCOURSE_SECRET, body),
    },
    body,
  });
}

/** A /ticket interaction by a guild member with the given roles, signed with the app's key. */
function discordTicket(userId: string, roles: string[]) {
  // An interaction id is a snowflake: its time part dates the command (now, give or take).
  const id = String((BigInt(Date.now() - DISCORD_EPOCH_MS) << 22n) | BigInt(++sequence));
  const body = Buffer.from(
    JSON.stringify({
      application_id: discordConfig.applicationId,
      channel_id: '1199384021555212340',
      data: { id: '1213095000000000001', name: 'ticket', type: 1 },
      guild_id: discordConfig.guildId,
      id,
      member: {
        user: { id: userId, username: `user${userId.slice(-4)}`, global_name: null },
        nick: null,
        roles,
        joined_at: '2026-11-20T09:00:00.000000+00:00',
      },
      token: 'aW50ZXJhY3Rpb24',
      type: 2,
      version: 1,
    }),
  );
  const timestamp = String(Math.floor(Date.now() / 1000));
  return fetch(`${url}/webhooks/discord`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-signature-ed25519': signDiscordRequest(discordApp.privateKey, timestamp, body),
      'x-signature-timestamp': timestamp,
    },
    body,
  });
}

async function identity(platform: string, userId: string) {
  return t.db
    .selectFrom('identities')
    .select(['member_id', 'staff'])
    .where('platform', '=', platform)
    .where('platform_user_id', '=', userId)
    .executeTakeFirstOrThrow();
}

async function ledgerRows(platform: string, userId: string) {
  const { n } = await t.db
    .selectFrom('activity')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('platform', '=', platform)
    .where('platform_user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

describe('staff activity', () => {
  it('is in the ledger but not in roll-ups or milestones; members beside them are counted', async () => {
    const deliveries = [
      // Slack: staff by user id, a member beside them.
      () => slackMessage('U0STAFF01'),
      () => slackMessage('U0STAFF01'),
      () => slackMessage('U0STAFF01'),
      () => slackMessage('U0MEMBER1'),
      () => slackMessage('U0MEMBER1'),
      // Discourse: staff by role (the post says the author is a moderator), a member beside them.
      () => discoursePost(501, { moderator: true, staff: true }),
      () => discoursePost(501, { moderator: true, staff: true }),
      () => discoursePost(502, { moderator: false, staff: false }),
      () => discoursePost(502, { moderator: false, staff: false }),
      // Discord: staff by role id, a member with another role beside them.
      () => discordTicket('1213093380096000041', [DISCORD_MEMBER_ROLE, DISCORD_MODERATOR_ROLE]),
      () => discordTicket('1213093380096000042', [DISCORD_MEMBER_ROLE]),
    ];
    for (const deliver of deliveries) {
      const response = await deliver();
      expect(response.status, await response.clone().text()).toBe(200);
    }

    const cases = [
      { platform: 'slack', userId: 'U0STAFF01', staff: true, messages: 3 },
      { platform: 'slack', userId: 'U0MEMBER1', staff: false, messages: 2 },
      { platform: 'discourse', userId: '501', staff: true, messages: 2 },
      { platform: 'discourse', userId: '502', staff: false, messages: 2 },
      { platform: 'discord', userId: '1213093380096000041', staff: true, commands: 1 },
      { platform: 'discord', userId: '1213093380096000042', staff: false, commands: 1 },
    ];
    for (const { platform, userId, staff, messages = 0, commands = 0 } of cases) {
      const who = `${platform}:${userId}`;
      const found = await identity(platform, userId);
      expect(found.staff, who).toBe(staff);
      // Recorded either way: the ledger has every event.
      expect(await ledgerRows(platform, userId), who).toBe(messages + commands);

      const view = await memberView(t.db, found.member_id, members);
      const byType = {
        ...(messages ? { 'message.posted': messages } : {}),
        ...(commands ? { 'command.invoked': commands } : {}),
      };
      if (staff) {
        expect(view?.activity, who).toMatchObject({
          total: 0,
          byType: {},
          byPlatform: {},
          last30Days: {},
        });
        expect(view?.milestones, who).toEqual([]);
        expect(view?.engagement.score30Days, who).toBe(0);
      } else {
        expect(view?.activity, who).toMatchObject({
          total: messages + commands,
          byType,
          byPlatform: { [platform]: messages + commands },
          last30Days: byType,
        });
        expect(
          view?.milestones.map((m) => m.name),
          who,
        ).toEqual(messages ? ['first_post'] : []);
      }
    }
  });

  it('stays staff by role when later events do not say (Slack messages carry no roles)', async () => {
    const n = ++sequence;
    const joined = await postSlack(url, SLACK_SECRET, {
      token: 'x',
      team_id: 'T0TEST',
      api_app_id: 'A0TEST',
      event: {
        type: 'team_join',
        user: { id: 'U0ADMIN01', team_id: 'T0TEST', name: 'admin', is_admin: true, profile: {} },
      },
      type: 'event_callback',
      event_id: `EvSTAFF${n}`,
      event_time: at(),
    });
    expect(joined.status).toBe(200);
    for (const _ of [1, 2]) expect((await slackMessage('U0ADMIN01')).status).toBe(200);
    const found = await identity('slack', 'U0ADMIN01');
    expect(found.staff).toBe(true);
    expect(await ledgerRows('slack', 'U0ADMIN01')).toBe(3);
    const view = await memberView(t.db, found.member_id, members);
    expect(view?.activity.total).toBe(0);
    expect(view?.milestones).toEqual([]);
  });
});
