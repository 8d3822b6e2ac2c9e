// The support handoff through the running hub, Discourse to Freshdesk: members post in the
// sandbox's forum, which delivers its signed webhooks to the hub (the hub's own posts included,
// as Discourse sends them: the inbound drops its API user's posts, and the run would skip them by
// id); the sandbox desk's tickets and the forum's topics are what comes out.
// The agent acts through the desk's sandbox actions, whose rule webhooks reach the hub.
// Core Discourse has likes, not emoji reactions: a like is the reaction `heart`, and the
// reaction rule here takes a staff member's like only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { DISCOURSE_DEFAULTS } from '../../sandbox/discourse/index.js';
import { FRESHDESK_DEFAULTS, FRESHDESK_SANDBOX_PATH } from '../../sandbox/freshdesk/index.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import type { TestHub } from '../support/hub.js';
import { startTestHub } from '../support/hub.js';
import { startTestSandbox, waitFor } from '../support/sandbox.js';
import { agentAction, pause } from '../support/handoff.js';
import {
  addForumUser,
  deliverForumPost,
  discourseApi,
  emitDiscourse,
  discourseEcho,
  discoursePost,
  joinDiscourse,
  topicPostsBy,
} from '../support/handoff-discourse.js';

/** The forum user townhall posts (and likes) as; members ask for it by @mention. */
const BOT = 'support-bot';
/** Categories of the sandbox forum: where keywords are heard, where threads are watched. */
const GENERAL = 4;
const HELP = 2;
const ELSEWHERE = 1;

interface FreshdeskTicket {
  id: number;
  subject: string;
  description_text: string;
  status: number;
  requester_id: number;
  custom_fields: Record<string, string | null>;
  conversations: { id: number; body_text: string; private: boolean; user_id: number }[];
}

let sandbox: Sandbox;
let t: TestDb;
let hub: TestHub;
let echo: () => Promise<number>;
let staffId: number;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await openTestDb();
  await addForumUser(sandbox, BOT, 'Support Bot');
  staffId = await addForumUser(sandbox, 'stella', 'Stella Staff');
  hub = await startTestHub(
    'handoff-discourse',
    `
connectors:
  discourse:
    baseUrl: ${sandbox.url}
    apiKey: ${DISCOURSE_DEFAULTS.apiKey}
    apiUsername: ${BOT}
    webhookSecret: ${DISCOURSE_DEFAULTS.webhookSecret}
  freshdesk:
    baseUrl: ${sandbox.url}${FRESHDESK_SANDBOX_PATH}
    apiKey: ${FRESHDESK_DEFAULTS.apiKey}
    webhookSecret: ${FRESHDESK_DEFAULTS.webhookSecret}
members:
  staff: { users: ['discourse:${staffId}'] }
handoff:
  quiet_after: 1h
  rules:
    - { on: command, platform: discourse, helpdesk: freshdesk, mention: ${BOT} }
    - { on: reaction, platform: discourse, helpdesk: freshdesk, emoji: [heart], staff_only: true }
    - { on: keyword, platform: discourse, helpdesk: freshdesk, pattern: 'refund|billing', channels: ['${GENERAL}'] }
    - { on: unanswered, platform: discourse, helpdesk: freshdesk, after: 4s, channels: ['${HELP}'] }
`,
    t,
  );
  sandbox.setTownhallUrl(hub.server);
  echo = discourseEcho(sandbox, BOT);
});
afterAll(async () => {
  hub?.process.child.kill('SIGKILL');
  await sandbox?.stop();
  await t?.close();
});

const tickets = async () =>
  (await (await fetch(`${sandbox.url}/_sandbox/freshdesk/tickets`)).json()) as FreshdeskTicket[];
/** The topic's tickets: townhall's id for a ticket (the workflow id) ends in `/<topic id>`. */
const ticketsFor = async (topicId: number) =>
  (await tickets()).filter((ticket) =>
    ticket.custom_fields[FRESHDESK_DEFAULTS.externalIdField]?.endsWith(`/${topicId}`),
  );
const contacts = async () =>
  (await (await fetch(`${sandbox.url}/_sandbox/freshdesk/contacts`)).json()) as {
    id: number;
    name: string;
    email: string | null;
  }[];

describe.concurrent('handoff: Discourse topics become Freshdesk tickets', () => {
  it("a staff member's like asks for one ticket, however often; a member's like does not", async () => {
    await joinDiscourse(sandbox, 'lou', 'Lou Liked');
    const likerId = await addForumUser(sandbox, 'lena', 'Lena Liker');
    const { topicId, postId } = await discoursePost(sandbox, 'lou', {
      title: 'Dark mode hides the charts',
      raw: 'The charts are unreadable in dark mode.',
      category: ELSEWHERE,
    });
    const post = await discourseApi(sandbox, 'system', 'GET', `/posts/${postId}.json`);
    const like = (id: number, username: string) =>
      emitDiscourse(sandbox, {
        event: 'post_liked',
        like: { post: { ...post, category_id: ELSEWHERE }, user: { id, username } },
      });
    await like(likerId, 'lena');
    await pause(1_500);
    expect(await ticketsFor(topicId)).toHaveLength(0);
    await like(staffId, 'stella');
    await like(staffId, 'stella');
    const [ticket] = await waitFor('the ticket', async () => {
      const found = await ticketsFor(topicId);
      return found.length > 0 ? found : undefined;
    });
    expect(ticket!.description_text).toContain('The charts are unreadable in dark mode.');
    await pause(1_500);
    expect(await ticketsFor(topicId)).toHaveLength(1);
  });

  it('makes one ticket for repeated mentions and a keyword, with the transcript, the requester and one acknowledgement; the agent and the member talk both ways, without echoes', async () => {
    await joinDiscourse(sandbox, 'ada', 'Ada Asker');
    const { topicId, postId: rootId } = await discoursePost(sandbox, 'ada', {
      title: 'Password reset email never arrives',
      raw: 'I asked for a password reset twice today and nothing came.',
      category: GENERAL,
    });
    await discoursePost(sandbox, 'ada', {
      topicId,
      raw: `@${BOT} could you please take a look at this?`,
    });
    const again = await discoursePost(sandbox, 'ada', {
      topicId,
      raw: `Still nothing. @${BOT} anyone there?`,
    });
    await deliverForumPost(sandbox, again.postId); // Discourse's retry of the same delivery
    await discoursePost(sandbox, 'ada', { topicId, raw: 'It might be a billing thing as well.' });

    const [ticket] = await waitFor('the ticket', async () => {
      const found = await ticketsFor(topicId);
      return found.length > 0 ? found : undefined;
    });
    expect(ticket!.subject).toContain('I asked for a password reset twice today');
    expect(ticket!.description_text).toContain(
      'Ada Asker: I asked for a password reset twice today and nothing came.',
    );
    expect(ticket!.description_text).toContain(`Ada Asker: @${BOT} could you please take a look`);
    expect(ticket!.description_text).toMatch(/Link: https?:\/\/\S+\/t\/\S+\/\d+/);
    const requester = (await contacts()).find((c) => c.id === ticket!.requester_id);
    expect(requester?.email).toBe('ada@example.com');

    const posts = async () => (await topicPostsBy(sandbox, BOT, topicId)).map((m) => m.raw);
    await waitFor('the acknowledgement', async () =>
      (await posts()).some((raw) => raw.includes(`ticket #${ticket!.id}`)) ? true : undefined,
    );
    await echo();

    await agentAction(sandbox, 'freshdesk', ticket!.id, 'reply', {
      body: 'Your billing profile blocks resets; please verify your email first.',
    });
    await agentAction(sandbox, 'freshdesk', ticket!.id, 'note', { body: 'internal: known bug' });
    await waitFor('the agent reply', async () =>
      (await posts()).some((raw) => raw.includes('please verify your email first'))
        ? true
        : undefined,
    );
    await echo();
    await agentAction(sandbox, 'freshdesk', ticket!.id, 'resolve', {});
    await waitFor('the solved message', async () =>
      (await posts()).some((raw) => raw.includes('is solved')) ? true : undefined,
    );
    await echo();
    await discoursePost(sandbox, 'ada', {
      topicId,
      raw: 'Still broken for me, sorry to bother you again.',
    });
    const reopened = await waitFor('the reopen', async () => {
      const [now] = await ticketsFor(topicId);
      return now?.status === 2 &&
        now.conversations.some((c) => c.body_text.includes('Still broken for me'))
        ? now
        : undefined;
    });
    await waitFor('the reopened message', async () =>
      (await posts()).some((raw) => raw.includes('open again')) ? true : undefined,
    );
    await echo();
    const settled = (await posts()).length;
    await pause(1_500);
    await echo();
    // Nothing posted in this topic since: the echoes made nothing new (other tests post elsewhere).
    expect(await posts()).toHaveLength(settled);

    expect(await ticketsFor(topicId)).toHaveLength(1);
    const texts = await posts();
    expect(texts.filter((raw) => raw.includes(`ticket #${ticket!.id}`))).toHaveLength(1);
    expect(texts.filter((raw) => raw.includes('please verify your email first'))).toHaveLength(1);
    expect(texts.some((raw) => raw.includes('known bug'))).toBe(false);
    expect(texts.filter((raw) => raw.includes('is solved'))).toHaveLength(1);
    expect(texts.filter((raw) => raw.includes('open again'))).toHaveLength(1);
    const [final] = await ticketsFor(topicId);
    const comment = final!.conversations.filter((c) => c.body_text.includes('Still broken'));
    expect(comment).toHaveLength(1);
    expect(comment[0]!.user_id).toBe(reopened.requester_id);
    expect(comment[0]!.private).toBe(false);
    // The hub's own posts, heard back, are not comments on the ticket.
    expect(
      final!.conversations.filter(
        (c) => c.body_text.includes('Our support team') || c.body_text.includes('(support)'),
      ),
    ).toHaveLength(0);
    // Heard back, the hub's posts are its own: no member is made of its API user.
    const bot = await t.db
      .selectFrom('identities')
      .select('member_id')
      .where('platform', '=', 'discourse')
      .where('handle', '=', BOT)
      .executeTakeFirst();
    expect(bot).toBeUndefined();
    // The solved reaction on Discourse: the API user's like on the topic's first post.
    const likes = (await (await fetch(`${sandbox.url}/_sandbox/discourse/likes`)).json()) as {
      post_id: number;
      username: string;
    }[];
    expect(likes).toContainEqual(expect.objectContaining({ post_id: rootId, username: BOT }));
  });

  it('opens a ticket for a keyword in a listened category, and not for one elsewhere', async () => {
    await addForumUser(sandbox, 'kimkey', 'Kim Keyword');
    const listened = await discoursePost(sandbox, 'kimkey', {
      title: 'Refund for the annual plan',
      raw: 'I need a refund for my last invoice please.',
      category: GENERAL,
    });
    const elsewhere = await discoursePost(sandbox, 'kimkey', {
      title: 'Refund policy feedback',
      raw: 'The refund policy page could be clearer.',
      category: ELSEWHERE,
    });
    const [ticket] = await waitFor('the ticket', async () => {
      const found = await ticketsFor(listened.topicId);
      return found.length > 0 ? found : undefined;
    });
    // Kim never signed up where the hub heard it: no email, so a placeholder naming the handle.
    const requester = (await contacts()).find((c) => c.id === ticket!.requester_id);
    expect(requester?.email ?? null).toBeNull();
    expect(requester?.name).toMatch(/Kim Keyword \(discourse @kimkey, no email known\)/);
    await pause(1_500);
    expect(await ticketsFor(listened.topicId)).toHaveLength(1);
    expect(await ticketsFor(elsewhere.topicId)).toHaveLength(0);
  });

  it('unanswered: a staff reply in time makes no ticket; silence makes one at the deadline', async () => {
    await addForumUser(sandbox, 'wes', 'Wes Waiting');
    const answered = await discoursePost(sandbox, 'wes', {
      title: 'Rotating the API key',
      raw: 'How do I rotate my API key for the integration?',
      category: HELP,
    });
    const ignored = await discoursePost(sandbox, 'wes', {
      title: 'Dark mode for the dashboard',
      raw: 'Is there a dark mode for the dashboard somewhere?',
      category: HELP,
    });
    const asked = Date.now();
    await discoursePost(sandbox, 'stella', {
      topicId: answered.topicId,
      raw: 'Settings, then API, then Rotate key at the bottom.',
    });
    const ticket = await waitFor(
      'the deadline ticket',
      async () => (await ticketsFor(ignored.topicId))[0],
    );
    expect(Date.now() - asked).toBeGreaterThanOrEqual(3_500);
    expect(ticket.description_text).toContain('Is there a dark mode for the dashboard');
    await pause(2_000);
    expect(await ticketsFor(answered.topicId)).toHaveLength(0);
    expect(await ticketsFor(ignored.topicId)).toHaveLength(1);
  });
});
