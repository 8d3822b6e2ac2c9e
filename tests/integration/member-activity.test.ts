// The activity ledger and roll-ups, driven from outside: 1,000 signed Slack and Discourse
// deliveries (messages and reactions from 25 people over 100 days), one in five delivered twice,
// in shuffled order. The expected counts are computed here from what was sent, independently of
// townhall, and compared with each member's view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MEMBERS_CONFIG } from '../../config/members.js';
import { signDiscourseBody } from '../../connectors/discourse/signature.js';
import { memberView } from '../../store/member-view.js';
import type { TestDb } from '../support/db.js';
import type { StoreOnlyHub } from '../support/store-only-hub.js';
import { slackAndDiscourse, startStoreOnlyHub } from '../support/store-only-hub.js';
import { postSlack } from '../support/slack.js';

const SLACK_SECRET = 'member-activity-slack-secret';
const DISCOURSE_SECRET = 'member-activity-discourse-secret';
const FORUM = 'https://forum.example.com';
const NOW = Date.now();
const DAY = 86_400_000;

let hub: StoreOnlyHub;
let t: TestDb;
let url: string;

beforeAll(async () => {
  hub = await startStoreOnlyHub(
    slackAndDiscourse({ slack: SLACK_SECRET, discourse: DISCOURSE_SECRET, forum: FORUM }),
  );
  ({ t, url } = hub);
});
afterAll(() => hub?.close());

/** One thing a person did, and how to deliver it. */
interface Sent {
  person: number;
  platform: 'slack' | 'discourse';
  type: 'message.posted' | 'reaction.added';
  at: number;
  deliver: () => Promise<Response>;
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

function slackEvent(person: number, type: Sent['type'], at: number, n: number) {
  const ts = `${Math.floor(at / 1000)}.${String(n).padStart(6, '0')}`;
  const user = `U${String(person).padStart(8, '0')}`;
  const event =
    type === 'message.posted'
      ? { type: 'message', channel: 'C0GENERAL', user, text: `message ${n}`, ts, team: 'T0TEST' }
      : {
          type: 'reaction_added',
          user,
          reaction: 'tada',
          item: { type: 'message', channel: 'C0GENERAL', ts: '1700000000.000100' },
          event_ts: ts,
        };
  const body = {
    token: 'x',
    team_id: 'T0TEST',
    api_app_id: 'A0TEST',
    event,
    type: 'event_callback',
    event_id: `Ev${n}`,
    event_time: Math.floor(at / 1000),
  };
  return () => postSlack(url, SLACK_SECRET, body);
}

function discoursePost(person: number, at: number, n: number) {
  const body = Buffer.from(
    JSON.stringify({
      post: {
        id: n,
        username: `person${person}`,
        name: `Person ${person}`,
        created_at: new Date(at).toISOString(),
        cooked: `<p>post ${n}</p>`,
        raw: `post ${n}`,
        post_number: 2,
        post_type: 1,
        topic_id: 77,
        category_id: 4,
        user_id: 1000 + person,
        post_url: `/t/topic/77/${n}`,
      },
    }),
  );
  return () =>
    fetch(`${url}/webhooks/discourse`, {
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

describe('the activity ledger', () => {
  it('counts 1,000 deliveries with 20% duplicates exactly once each, per member', async () => {
    const next = random(20261130);
    const sent: Sent[] = [];
    for (let n = 1; sent.length < 800; n++) {
      const person = Math.floor(next() * 25);
      // Whole seconds: Slack timestamps carry no finer time for what is compared below.
      const at = Math.floor((NOW - next() * 100 * DAY) / 1000) * 1000;
      const onForum = next() < 0.3;
      const type = onForum || next() < 0.6 ? 'message.posted' : 'reaction.added';
      sent.push({
        person,
        platform: onForum ? 'discourse' : 'slack',
        type,
        at,
        deliver: onForum ? discoursePost(person, at, n) : slackEvent(person, type, at, n),
      });
    }
    // 200 redeliveries of 200 different events, shuffled in among the first deliveries.
    const deliveries = [...sent, ...sent.slice(0, 200)].sort(() => next() - 0.5);
    expect(deliveries).toHaveLength(1_000);
    for (let i = 0; i < deliveries.length; i += 20) {
      const batch = await Promise.all(deliveries.slice(i, i + 20).map((d) => d.deliver()));
      for (const response of batch) expect(response.status).toBe(200);
    }

    // The expectation, from what was sent: per person and platform (each is its own identity
    // and member: nothing ties a Slack user to a forum user without an email).
    const members = await t.db
      .selectFrom('identities')
      .select(['member_id', 'platform', 'platform_user_id', 'handle'])
      .execute();
    const memberOf = (s: Sent) =>
      members.find((m) =>
        s.platform === 'slack'
          ? m.platform === 'slack' && m.platform_user_id === `U${String(s.person).padStart(8, '0')}`
          : m.platform === 'discourse' && m.platform_user_id === String(1000 + s.person),
      )?.member_id;
    const expected = new Map<string, Sent[]>();
    for (const s of sent) {
      const id = memberOf(s);
      expect(id, `a member for person ${s.person} on ${s.platform}`).toBeDefined();
      expected.set(id!, [...(expected.get(id!) ?? []), s]);
    }
    expect(expected.size).toBe(members.length);

    const count = (list: Sent[], days?: number) =>
      list
        .filter((s) => days === undefined || s.at >= NOW - days * DAY)
        .reduce<Record<string, number>>(
          (by, s) => ({ ...by, [s.type]: (by[s.type] ?? 0) + 1 }),
          {},
        );
    for (const [memberId, list] of expected) {
      const view = await memberView(t.db, memberId, DEFAULT_MEMBERS_CONFIG, new Date(NOW));
      expect(view?.activity.total, memberId).toBe(list.length);
      expect(view?.activity.byType).toEqual(count(list));
      expect(view?.activity.last7Days).toEqual(count(list, 7));
      expect(view?.activity.last30Days).toEqual(count(list, 30));
      expect(view?.activity.last90Days).toEqual(count(list, 90));
      expect(view?.firstSeenAt).toBe(new Date(Math.min(...list.map((s) => s.at))).toISOString());
      expect(view?.lastActiveAt).toBe(new Date(Math.max(...list.map((s) => s.at))).toISOString());
      const posts = list.filter((s) => s.type === 'message.posted').length;
      expect(view?.milestones.map((m) => m.name)).toEqual(
        [posts >= 1 && 'first_post', posts >= 10 && 'posts_10', posts >= 100 && 'posts_100'].filter(
          Boolean,
        ),
      );
    }
    const { n } = await t.db
      .selectFrom('activity')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(800);
  }, 120_000);
});
