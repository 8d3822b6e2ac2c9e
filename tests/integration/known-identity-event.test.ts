// Events from an identity the store knows are stored in one statement that commits on its own
// (store/known-identity-event.ts), so nothing holds the member's roll-ups between the statement
// and the grading of their level. Driven through signed Slack deliveries; read back from the
// store's rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MEMBERS_CONFIG } from '../../config/members.js';
import type { CommunityEvent } from '../../connectors/events.js';
import { settleLevelHeld } from '../../store/activity.js';
import { recordKnownIdentityEvent } from '../../store/known-identity-event.js';
import { levelHistory } from '../../store/level-changes.js';
import type { TestDb } from '../support/db.js';
import { act, seedIdentity } from '../support/members.js';
import type { StoreOnlyHub } from '../support/store-only-hub.js';
import { startStoreOnlyHub } from '../support/store-only-hub.js';
import { postSlack } from '../support/slack.js';

const SECRET = 'known-identity-slack-secret';

let hub: StoreOnlyHub;
let t: TestDb;
let url: string;

beforeAll(async () => {
  hub = await startStoreOnlyHub({ slack: { signingSecret: SECRET } });
  ({ t, url } = hub);
});
afterAll(() => hub?.close());

// A message's id is its channel and ts: one second for every post, told apart by user and number.
const SECOND = Math.floor(Date.now() / 1000);

const post = (user: string, n: number) => {
  const now = SECOND;
  return postSlack(url, SECRET, {
    token: 'x',
    team_id: 'T0TEST',
    api_app_id: 'A0TEST',
    type: 'event_callback',
    event_id: `Ev${user}${n}`,
    event_time: now,
    event: {
      type: 'message',
      channel: 'C0GENERAL',
      user,
      text: `post ${n}`,
      ts: `${now}.${user.slice(-2)}${String(n).padStart(4, '0')}`,
    },
  });
};

async function memberOf(user: string) {
  const { member_id } = await t.db
    .selectFrom('identities')
    .select('member_id')
    .where('platform_user_id', '=', user)
    .executeTakeFirstOrThrow();
  const stats = await t.db
    .selectFrom('member_stats')
    .select(['total', 'level'])
    .where('member_id', '=', member_id)
    .executeTakeFirstOrThrow();
  const history = await levelHistory(t.db, member_id);
  const milestones = await t.db
    .selectFrom('milestones')
    .select('name')
    .where('member_id', '=', member_id)
    .orderBy('name')
    .execute();
  const unprocessed = await t.db
    .selectFrom('received_events')
    .select('event_id')
    .where('event_id', 'like', `Ev${user}%`)
    .where('processed_at', 'is', null)
    .execute();
  return {
    total: stats.total,
    level: stats.level,
    history: history.map((row) => row.level),
    milestones: milestones.map((row) => row.name),
    unprocessed: unprocessed.length,
  };
}

describe('an event from a known identity', () => {
  it('grades the level at ingest with the event itself counted', async () => {
    // Posts score 3 each (config defaults): observer at the first, participant (5) at the second.
    expect((await post('UKNOWN01', 1)).status).toBe(200);
    expect(await memberOf('UKNOWN01')).toMatchObject({ total: 1, level: 'observer' });
    expect((await post('UKNOWN01', 2)).status).toBe(200);
    expect(await memberOf('UKNOWN01')).toEqual({
      total: 2,
      level: 'participant',
      history: ['observer', 'participant'],
      milestones: ['first_post'],
      unprocessed: 0,
    });
  });

  it('counts 40 concurrent posts once each, and keeps each level change and milestone once', async () => {
    expect((await post('UKNOWN02', 0)).status).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => post('UKNOWN02', i + 1)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    // Redeliveries of the same 40 count nothing.
    const again = await Promise.all(Array.from({ length: 40 }, (_, i) => post('UKNOWN02', i + 1)));
    expect(again.map((answer) => answer.status)).toEqual(again.map(() => 200));

    const member = await memberOf('UKNOWN02');
    expect(member.total).toBe(41);
    expect(member.milestones).toEqual(['first_post', 'posts_10']);
    expect(member.unprocessed).toBe(0);
    // Concurrent events grade from what each one read: a level is never written twice, and
    // only ever upwards here (41 posts in a day: no demotion is due).
    const ranks = member.history.map((level) =>
      ['observer', 'participant', 'regular', 'champion'].indexOf(level ?? ''),
    );
    expect(ranks).toEqual([...new Set(ranks)].sort((a, b) => a - b));
    expect(member.history[0]).toBe('observer');
    expect(member.level).toBe(member.history.at(-1));
    // One post more, from a quiet moment, grades from every post: 42 × 3 = 126, champion.
    expect((await post('UKNOWN02', 99)).status).toBe(200);
    expect((await memberOf('UKNOWN02')).level).toBe('champion');
  });
});

describe('the one-statement path, called directly', () => {
  const config = DEFAULT_MEMBERS_CONFIG;
  const posted = (userId: string, eventId: string): CommunityEvent => ({
    eventId,
    platform: 'slack',
    type: 'message.posted',
    occurredAt: new Date().toISOString(),
    member: { userId, communityId: 'T0DIRECT' },
    channelId: 'C1',
    messageId: eventId,
    text: 'hello',
  });
  const stored = (eventId: string) =>
    t.db
      .selectFrom('received_events')
      .select(['event_id', 'processed_at'])
      .where('event_id', '=', eventId)
      .executeTakeFirst();

  it('stores a known identity’s event, and writes nothing for what needs the general path', async () => {
    const memberId = await seedIdentity(t.db, {
      platform: 'slack',
      userId: 'U0DIRECT1',
      communityId: 'T0DIRECT',
    });
    const record = (event: CommunityEvent, staff: boolean | undefined, processed = true) =>
      recordKnownIdentityEvent(t.db, event, { staff, processed, config });

    expect(await record(posted('U0NOBODY', 'direct-unknown'), false)).toBeUndefined();
    expect(await stored('direct-unknown')).toBeUndefined();
    // The config now names them staff: the general path changes the flag.
    expect(await record(posted('U0DIRECT1', 'direct-staff'), true)).toBeUndefined();
    expect(await stored('direct-staff')).toBeUndefined();

    expect(await record(posted('U0DIRECT1', 'direct-1'), false)).toEqual({
      memberId,
      staff: false,
    });
    expect((await stored('direct-1'))?.processed_at).not.toBeNull();
    // Staff unknown (no roles in the delivery): the stored flag stands.
    expect(await record(posted('U0DIRECT1', 'direct-2'), undefined, false)).toEqual({
      memberId,
      staff: false,
    });
    expect((await stored('direct-2'))?.processed_at).toBeNull();
    // A redelivery, handled or not.
    expect(await record(posted('U0DIRECT1', 'direct-1'), false)).toBeUndefined();
    expect(await record(posted('U0DIRECT1', 'direct-2'), false)).toBeUndefined();

    const stats = await t.db
      .selectFrom('member_stats')
      .select(['total', 'level'])
      .where('member_id', '=', memberId)
      .executeTakeFirstOrThrow();
    expect(stats).toEqual({ total: 2, level: 'participant' });
  });

  it('moves changed_at with a level graded after the roll-ups committed, so the CRM sync sends it', async () => {
    const memberId = await act(
      t.db,
      { platform: 'slack', userId: 'U0DIRECT2', communityId: 'T0DIRECT' },
      [
        { type: 'message.posted', daysAgo: 1 },
        { type: 'message.posted', daysAgo: 1 },
      ],
    );
    // As the one-statement path leaves it: roll-ups committed (and seen by the sync) before the
    // level is graded.
    const synced = new Date('2026-01-01T00:00:00Z');
    await t.db
      .updateTable('member_stats')
      .set({ level: 'observer', changed_at: synced })
      .where('member_id', '=', memberId)
      .execute();
    const now = new Date();
    await settleLevelHeld(t.db, memberId, config, now);
    const row = await t.db
      .selectFrom('member_stats')
      .select(['level', 'changed_at'])
      .where('member_id', '=', memberId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ level: 'participant', changed_at: now });
  });
});
