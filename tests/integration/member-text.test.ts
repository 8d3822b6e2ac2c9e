// Member text is data, through the running hub: members whose display name is a phishing link,
// an @everyone and a <!channel> join through a signed Slack webhook, a signed Discourse webhook
// and the Discord gateway; the sandbox's mailbox, Slack workspace, forum and guild show what
// townhall sent them: the name as text, no live link, no markup, no ping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { DISCOURSE_DEFAULTS } from '../../sandbox/discourse/index.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { emitDiscourse } from '../support/handoff-discourse.js';
import type { TestHub } from '../support/hub.js';
import { startTestHub } from '../support/hub.js';
import {
  sandboxEmailYaml,
  sandboxSlackYaml,
  startTestSandbox,
  waitFor,
} from '../support/sandbox.js';
import { teamJoin } from '../support/slack.js';

const NAME = '<a href="https://evil.example/reset">Reset your password</a> @everyone <!channel>';

let sandbox: Sandbox;
let t: TestDb;
let hub: TestHub;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await openTestDb();
  const discord = sandbox.emulators.discord;
  hub = await startTestHub(
    'member-text',
    `
connectors:
${sandboxSlackYaml(sandbox, { bot: true })}
${sandboxEmailYaml(sandbox, 'member-text-test-unsubscribe-secret')}
  discourse:
    baseUrl: ${sandbox.url}
    apiKey: ${DISCOURSE_DEFAULTS.apiKey}
    apiUsername: system
    webhookSecret: ${DISCOURSE_DEFAULTS.webhookSecret}
  discord:
    applicationId: '${discord.applicationId}'
    guildId: '${discord.guildId}'
    publicKey: ${discord.publicKey}
    botToken: ${discord.botToken}
    apiUrl: ${sandbox.url}/api
workflows:
  onboarding:
    steps:
      - email.send: { template: welcome, subject: 'Welcome, {{ member.name }}' }
      - dm.send: { text: 'Welcome, {{ member.name }}! Say hello.', subject: 'Welcome, {{ member.name }}' }
`,
    t,
  );
  sandbox.setTownhallUrl(hub.server);
});
afterAll(async () => {
  hub?.process.child.kill('SIGKILL');
  await sandbox?.stop();
  await t?.close();
});

/** What a reader sees: the invisible joiners gone. */
const seen = (text: string) => text.replace(/[\u200b\u2060]/g, '');
/** The text with every backslash-escaped character taken out: what Markdown still parses. */
const live = (text: string) => text.replace(/\\[\s\S]/g, '');

const mailTo = (address: string) =>
  waitFor(`mail to ${address}`, () => {
    const mails = sandbox.emulators.email.list().filter((m) => m.to.includes(address));
    return mails.length > 0 ? mails : undefined;
  });

/** The welcome email's HTML part shows the name as text: no link, no markup of the member's. */
function expectInertHtml(html: string | undefined) {
  expect(html).toContain('&lt;a href=');
  expect(html).not.toContain('<a href="https://evil.example');
  expect(html).not.toContain('https://evil');
  expect(seen(html!)).toContain(
    '&lt;a href=&#34;https://evil.example/reset&#34;&gt;Reset your password&lt;/a&gt; @everyone &lt;!channel&gt;',
  );
}

describe.concurrent('member text is data', () => {
  it('Slack: the welcome email escapes the name and keeps the subject one line; the DM shows it as text', async () => {
    sandbox.emulators.slack.workspace.addUser({ id: 'UMALLORY', name: 'mallory', realName: 'M' });
    // A line break and a header after it, as a name: the subject must stay one line.
    const name = `${NAME}\r\nBcc: victim@example.com`;
    await hub.send(teamJoin('UMALLORY', 'mallory-slack@example.com', 'EvJoinMallory', name));

    const [mail, ...more] = await mailTo('mallory-slack@example.com');
    expect(more).toHaveLength(0);
    expectInertHtml(mail!.html);
    expect(seen(mail!.text)).toContain(NAME);
    expect(mail!.text).not.toContain('https://');
    expect(seen(mail!.subject)).toBe(`Welcome, ${NAME} Bcc: victim@example.com`);
    expect(mail!.to).toEqual(['mallory-slack@example.com']);
    expect(Object.keys(mail!.headers).map((key) => key.toLowerCase())).not.toContain('bcc');
    expect(
      sandbox.emulators.email.list().filter((m) => m.to.includes('victim@example.com')),
    ).toEqual([]);

    const dm = await waitFor('the Slack DM', () =>
      sandbox.emulators.slack.workspace.messages.find(
        (m) => m.channel.startsWith('D') && m.text.includes('Reset your password'),
      ),
    );
    // Slack reads <!channel>, <@U…> and <url|text> only from `<`: none is left.
    expect(dm.text).not.toMatch(/[<>]/);
    expect(dm.text).toContain('&lt;!channel&gt;');
    expect(dm.text).not.toContain('https://');
    expect(seen(dm.text)).toBe(
      `Welcome, ${NAME.replaceAll('<', '&lt;').replaceAll('>', '&gt;')}\r\nBcc: victim@example.com! Say hello.`,
    );
  });

  it('Discourse: the welcome email escapes the name; the private message mentions no one and links nothing', async () => {
    await emitDiscourse(sandbox, {
      event: 'user_created',
      user: { username: 'mallory', name: NAME, email: 'mallory-forum@example.com' },
    });
    // The address is not confirmed yet: the welcome email waits for Discourse to say it is.
    await waitFor('the sign-up processed', () =>
      t.db
        .selectFrom('received_events')
        .select('processed_at')
        .where('event_id', 'like', 'discourse:%:user_created:%')
        .where('processed_at', 'is not', null)
        .executeTakeFirst(),
    );
    await emitDiscourse(sandbox, {
      event: 'user_confirmed_email',
      user: { username: 'mallory', email: 'mallory-forum@example.com' },
    });
    const confirmed = await t.db
      .selectFrom('received_events')
      .select(['type', 'payload', 'processed_at'])
      .where('event_id', 'like', 'discourse:%:user_confirmed_email:%')
      .executeTakeFirstOrThrow();
    expect(confirmed.type).toBe('member.updated');
    expect(confirmed.processed_at).not.toBeNull();
    const payload = (
      typeof confirmed.payload === 'string' ? JSON.parse(confirmed.payload) : confirmed.payload
    ) as { member: { emailVerified?: boolean } };
    expect(payload.member.emailVerified).toBe(true);

    const [mail] = await mailTo('mallory-forum@example.com');
    expectInertHtml(mail!.html);

    const pm = await waitFor('the private message', async () => {
      const messages = (await (
        await fetch(`${sandbox.url}/_sandbox/discourse/messages`)
      ).json()) as { kind: string; title: string; raw: string; target_recipients?: string[] }[];
      return messages.find(
        (m) => m.kind === 'private_message' && m.target_recipients?.includes('mallory'),
      );
    });
    // Discourse mentions (users and @groups) are `@` then a name character.
    expect(pm.raw).not.toMatch(/@[\w.-]/);
    expect(pm.raw).not.toContain('<');
    expect(live(pm.raw)).not.toMatch(/[[\]()]/);
    expect(pm.raw).not.toContain('://');
    expect(pm.raw).toContain('&lt;a href=');
    expect(seen(pm.raw).replace(/\\([\s\S])/g, '$1')).toBe(
      `Welcome, ${NAME.replaceAll('&', '&amp;').replaceAll('<', '&lt;')}! Say hello.`,
    );
    // A title is plain text on Discourse (it is shown escaped): the name as written, one line.
    expect(pm.title).toBe(`Welcome, ${NAME}`);
  });

  it('Discourse: an unconfirmed sign-up with a member’s address joins no one and mails no one', async () => {
    sandbox.emulators.slack.workspace.addUser({ id: 'UOWNER', name: 'owner', realName: 'Owner' });
    await hub.send(teamJoin('UOWNER', 'owner@example.com', 'EvJoinOwner', 'Owner'));
    await mailTo('owner@example.com');
    // Someone signs up on the forum with the owner's address and never confirms it.
    await emitDiscourse(sandbox, {
      event: 'user_created',
      user: { username: 'eve', name: 'Eve', email: 'owner@example.com' },
    });
    // The private message is the step after the email: once it is there, the email step is done.
    await waitFor('the private message to eve', async () => {
      const messages = (await (
        await fetch(`${sandbox.url}/_sandbox/discourse/messages`)
      ).json()) as { kind: string; target_recipients?: string[] }[];
      return messages.find((m) => m.target_recipients?.includes('eve'));
    });
    expect(
      sandbox.emulators.email.list().filter((m) => m.to.includes('owner@example.com')),
    ).toHaveLength(1);
    const identities = await t.db
      .selectFrom('identities')
      .select(['platform', 'member_id'])
      .where('email', '=', 'owner@example.com')
      .execute();
    expect(identities.map((i) => i.platform).sort()).toEqual(['discourse', 'slack']);
    expect(new Set(identities.map((i) => i.member_id)).size).toBe(2);
  });

  it('Discourse then Slack: a confirmed address is taken from an unconfirmed sign-up that held it', async () => {
    // Someone signs up on the forum first with an address that is not theirs, and never confirms.
    await emitDiscourse(sandbox, {
      event: 'user_created',
      user: { username: 'early_bird', name: 'Early', email: 'first@example.com' },
    });
    // Then its owner joins Slack, whose profile says the address is confirmed.
    sandbox.emulators.slack.workspace.addUser({ id: 'UFIRST', name: 'first', realName: 'First' });
    const join = teamJoin('UFIRST', 'first@example.com', 'EvJoinFirst', 'First');
    await hub.send({
      ...join,
      event: { ...join.event, user: { ...join.event.user, is_email_confirmed: true } },
    });
    await mailTo('first@example.com');
    // The forum sign-up's journey asks again, finds no address of its own, and goes on to its PM.
    await waitFor('the private message to early_bird', async () => {
      const messages = (await (
        await fetch(`${sandbox.url}/_sandbox/discourse/messages`)
      ).json()) as { kind: string; target_recipients?: string[] }[];
      return messages.find((m) => m.target_recipients?.includes('early_bird'));
    });
    expect(
      sandbox.emulators.email.list().filter((m) => m.to.includes('first@example.com')),
    ).toHaveLength(1);
    const owners = await t.db
      .selectFrom('identities')
      .innerJoin('members', 'members.id', 'identities.member_id')
      .select(['identities.platform', 'members.email'])
      .where('identities.email', '=', 'first@example.com')
      .orderBy('identities.platform')
      .execute();
    expect(owners).toEqual([
      { platform: 'discourse', email: null },
      { platform: 'slack', email: 'first@example.com' },
    ]);
  });

  it('Discord: the DM escapes the name and pings no one', async () => {
    const userId = '1300000000000099001';
    await waitFor('a connected gateway session', async () => {
      const gateway = (await (await fetch(`${sandbox.url}/_sandbox/discord/gateway`)).json()) as {
        sessions: { connected: boolean }[];
      };
      return gateway.sessions.some((session) => session.connected) ? true : undefined;
    });
    const emitted = await fetch(`${sandbox.url}/_sandbox/discord/emit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        t: 'GUILD_MEMBER_ADD',
        d: { user: { id: userId, username: 'mallory', global_name: NAME } },
      }),
    });
    expect(emitted.status).toBe(200);

    const dm = await waitFor('the Discord DM', async () => {
      const messages = (await (await fetch(`${sandbox.url}/_sandbox/discord/messages`)).json()) as {
        content: string;
        recipient_id?: string;
        mention_everyone: boolean;
        mentions: unknown[];
        mention_roles: unknown[];
      }[];
      return messages.find((m) => m.recipient_id === userId);
    });
    expect(dm.mention_everyone).toBe(false);
    expect(dm.mentions).toEqual([]);
    expect(dm.mention_roles).toEqual([]);
    expect(dm.content).toContain('@\u200beveryone');
    expect(live(dm.content)).not.toMatch(/[<>[\]()]/);
    expect(dm.content).not.toContain('://');
    expect(seen(dm.content).replace(/\\([\s\S])/g, '$1')).toBe(`Welcome, ${NAME}! Say hello.`);
  });

  it('Discord: a join that can never be stored is set aside, and the gateway’s queue goes on', async () => {
    await waitFor('a connected gateway session', async () => {
      const gateway = (await (await fetch(`${sandbox.url}/_sandbox/discord/gateway`)).json()) as {
        sessions: { connected: boolean }[];
      };
      return gateway.sessions.some((session) => session.connected) ? true : undefined;
    });
    const join = (id: string, name: string) =>
      fetch(`${sandbox.url}/_sandbox/discord/emit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          t: 'GUILD_MEMBER_ADD',
          d: { user: { id, username: `u${id.slice(-3)}`, global_name: name } },
        }),
      });
    // A lone UTF-16 surrogate in the name: valid JSON, but PostgreSQL's jsonb refuses it.
    expect((await join('1300000000000099101', 'Ada \ud800')).status).toBe(200);
    expect((await join('1300000000000099102', 'Grace')).status).toBe(200);
    // The gateway hands events on in order and retries what is refused: the one after the
    // poison is routed only once the poison is set aside.
    await waitFor('the DM to the member who joined next', async () => {
      const messages = (await (await fetch(`${sandbox.url}/_sandbox/discord/messages`)).json()) as {
        recipient_id?: string;
      }[];
      return messages.find((m) => m.recipient_id === '1300000000000099102');
    });
    const letters = await t.db
      .selectFrom('dead_letters')
      .select(['source', 'status', 'event_type'])
      .where('source', '=', 'discord')
      .execute();
    expect(letters).toEqual([
      { source: 'discord', status: 'quarantined', event_type: 'member.joined' },
    ]);
  });
});
