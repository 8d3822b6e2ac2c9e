// Send windows, caps and consent through the running hub: signed Slack webhooks in, the
// sandbox's mailbox and Slack workspace out. The tests run side by side (each its own member):
// the window and the deferring cap are waits of seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubClient } from '../support/payload-keys.js';
import type { Sandbox } from '../../sandbox/index.js';
import type { JourneyResult } from '../../workflows/journey/types.js';
import { journeyWorkflowId } from '../../workflows/journey/types.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import {
  sandboxEmailYaml,
  sandboxSlackYaml,
  startTestSandbox,
  waitFor,
} from '../support/sandbox.js';
import { slackMessage, teamJoin } from '../support/slack.js';
import type { TestHub } from '../support/hub.js';
import { startTestHub } from '../support/hub.js';

let sandbox: Sandbox;
let t: TestDb;
let hub: TestHub;

/** Seconds after the config is written when the window opens, on Tokyo's wall clock. */
const OPENS_IN_S = 30;
let opensAt: number;

/** `HH:MM:SS` of an instant on a zone's wall clock. */
const wallClock = (ms: number, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(ms);

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await openTestDb();
  opensAt = Math.ceil(Date.now() / 1000) * 1000 + OPENS_IN_S * 1000;
  const from = wallClock(opensAt, 'Asia/Tokyo');
  const to =
    from < '23:00:00'
      ? `${String(Number(from.slice(0, 2)) + 1).padStart(2, '0')}${from.slice(2)}`
      : '24:00';
  const three = (prefix: string) =>
    [1, 2, 3]
      .map(
        (n) =>
          `      - email.send: { template: welcome, subject: '${prefix} ${n}, {{ member.name }}' }`,
      )
      .join('\n');
  hub = await startTestHub(
    'send-rules',
    `
connectors:
${sandboxSlackYaml(sandbox, { bot: true })}
${sandboxEmailYaml(sandbox, 'send-rules-test-unsubscribe-secret')}
limits:
  email: 2 per 8s
journeys:
  windowed:
    trigger: { event: message.posted, text: window please }
    send_window: { hours: '${from}-${to}' }
    steps:
      - email.send: { template: welcome, subject: 'In your window, {{ member.name }}' }
  burst:
    trigger: { event: message.posted, text: burst please }
    steps:
${three('Burst')}
  burst-skip:
    trigger: { event: message.posted, text: skip please }
    on_cap: skip
    steps:
${three('Skip')}
  tell-team:
    trigger: { event: message.posted, text: tell the team }
    steps:
      - notify: { channel: C0TEAM000, text: '{{ member.name }} asked for the team after {{ member.posts }} posts' }
  wrong-channel:
    trigger: { event: message.posted, text: wrong channel please }
    steps:
      - notify: { channel: C0RANDOM0, text: '{{ member.name }} wants the team' }
      - email.send: { template: welcome, subject: 'After the notice, {{ member.name }}' }
  thanks:
    trigger: { event: message.posted, text: thanks team }
    entry: every_time
    steps:
      - thread.reply: { text: 'You are welcome, {{ member.name }}!' }
  marked:
    trigger: { event: message.posted, text: marked waits please }
    steps:
      - wait: 1s
      - email.send: { template: welcome, subject: 'After a marked wait, {{ member.name }}' }
  unmarked:
    trigger: { event: message.posted, text: unmarked waits please }
    mark_waits: false
    steps:
      - wait: 1s
      - email.send: { template: welcome, subject: 'After an unmarked wait, {{ member.name }}' }
  dm-after-unsubscribe:
    trigger: { event: message.posted, text: letters please }
    steps:
      - email.send: { template: welcome, subject: 'Letter one, {{ member.name }}' }
      - wait: 3s
      - email.send: { template: welcome, subject: 'Letter two, {{ member.name }}' }
      - dm.send: { text: 'Still here for you, {{ member.name }}' }
`,
    t,
  );
});
afterAll(async () => {
  hub?.process.child.kill('SIGKILL');
  await sandbox?.stop();
  await t?.close();
});

const mailTo = (email: string) =>
  sandbox.emulators.email.list().filter((m) => m.to.includes(email));

const send = (body: unknown) => hub.send(body);

/** A Slack member who joins with an email, and a time zone when given. */
async function join(userId: string, name: string, timezone?: string) {
  const email = `${userId.toLowerCase()}@example.com`;
  const body = teamJoin(userId, email, `EvJoin${userId}`, name);
  if (timezone) Object.assign(body.event.user, { tz: timezone });
  await send(body);
  return email;
}

const runOf = async (journey: string, email: string) => {
  const member = await t.db
    .selectFrom('members')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  const client = hubClient();
  return client.workflow.getHandle(journeyWorkflowId(journey, member.id, undefined));
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.concurrent('journeys: send windows, caps and consent', () => {
  it("defers a due message to the window's opening in the member's time zone", async () => {
    const tokyo = await join('UTOKYO', 'Tokyo T', 'Asia/Tokyo');
    // No time zone in the profile: the window's default, UTC, nine hours behind Tokyo.
    const utc = await join('UUTC', 'Utc U');
    expect(Date.now()).toBeLessThan(opensAt - 2_000);
    await send(slackMessage('UTOKYO', 'window please'));
    await send(slackMessage('UUTC', 'window please'));

    const [mail] = await waitFor(
      'the windowed email',
      () => mailTo(tokyo)[0] && mailTo(tokyo),
      40_000,
    );
    expect(mail!.subject).toBe('In your window, Tokyo T');
    // Held until the opening, and sent at it.
    expect(Date.parse(mail!.receivedAt)).toBeGreaterThanOrEqual(opensAt);
    expect(Date.parse(mail!.receivedAt)).toBeLessThan(opensAt + 5_000);

    // The UTC member's message waits for the same wall-clock time in UTC: nine hours on.
    const held = await runOf('windowed', utc);
    const history = await held.fetchHistory();
    const timer = history.events!.find((e) => e.timerStartedEventAttributes);
    const waitMs = Number(timer!.timerStartedEventAttributes!.startToFireTimeout!.seconds) * 1000;
    const firedAt = Number(timer!.eventTime!.seconds) * 1000 + waitMs;
    expect(Math.abs(firedAt - (opensAt + 9 * 3_600_000))).toBeLessThan(2_000);
    expect(mailTo(utc)).toEqual([]);
    await held.terminate('test over');
  });

  it('defers the message over the cap until a slot frees up', async () => {
    const email = await join('UBURST', 'Burst B');
    await send(slackMessage('UBURST', 'burst please'));
    const result = (await (await runOf('burst', email)).result()) as JourneyResult;
    expect(result.steps.map((s) => [s.type, s.outcome])).toEqual([
      ['email.send', 'sent'],
      ['email.send', 'sent'],
      ['cap', expect.stringMatching(/^deferred \d+s: email cap \(2 per 8s\)$/)],
      ['email.send', 'sent'],
    ]);
    await pause(1_000);
    const mail = mailTo(email);
    expect(mail.map((m) => m.subject)).toEqual([
      'Burst 1, Burst B',
      'Burst 2, Burst B',
      'Burst 3, Burst B',
    ]);
    // The third went out once the first's place aged out of the 8 s (timed from when the place
    // was taken: how long the first took to reach the mailbox does not count).
    const [firstPlace] = await t.db
      .selectFrom('send_slots')
      .innerJoin('members', 'members.id', 'send_slots.member_id')
      .select('send_slots.taken_at')
      .where('members.email', '=', email)
      .orderBy('send_slots.taken_at')
      .execute();
    expect(Date.parse(mail[2]!.receivedAt)).toBeGreaterThanOrEqual(
      firstPlace!.taken_at.getTime() + 8_000,
    );
  });

  it('skips the message over the cap when the journey says on_cap: skip', async () => {
    const email = await join('USKIP', 'Skip S');
    await send(slackMessage('USKIP', 'skip please'));
    const result = (await (await runOf('burst-skip', email)).result()) as JourneyResult;
    expect(result.steps.map((s) => s.outcome)).toEqual([
      'sent',
      'sent',
      'skipped: email cap (2 per 8s)',
    ]);
    await pause(1_000);
    expect(mailTo(email).map((m) => m.subject)).toEqual(['Skip 1, Skip S', 'Skip 2, Skip S']);
  });

  it('sends no more email after an unsubscribe, but still the DM', async () => {
    sandbox.emulators.slack.workspace.addUser({ id: 'ULETTY', name: 'letty', realName: 'Letty L' });
    const email = await join('ULETTY', 'Letty L');
    await send(slackMessage('ULETTY', 'letters please'));
    const [first] = await waitFor('the first letter', () => mailTo(email)[0] && mailTo(email));
    const link = /<(http[^>]+\/unsubscribe\/[^>]+)>/.exec(first!.headers['list-unsubscribe']!)![1]!;
    const clicked = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(clicked.status).toBe(200);

    const result = (await (await runOf('dm-after-unsubscribe', email)).result()) as JourneyResult;
    expect(result.steps.map((s) => s.outcome)).toEqual([
      'sent',
      'waited',
      'skipped: member opted out of email',
      'sent',
    ]);
    await pause(1_000);
    expect(mailTo(email).map((m) => m.subject)).toEqual(['Letter one, Letty L']);
    const dms = sandbox.emulators.slack.workspace.messages.filter(
      // Tests run concurrently on one workspace: only Letty's DMs count here.
      (m) => m.channel.startsWith('D') && m.text.includes('Letty'),
    );
    expect(dms.map((m) => m.text)).toEqual(['Still here for you, Letty L']);
  });

  it('marks a run’s wait in TownhallStep unless its journey says mark_waits: false', async () => {
    const email = await join('UMARKS', 'Marks M');
    await send(slackMessage('UMARKS', 'marked waits please'));
    await send(slackMessage('UMARKS', 'unmarked waits please'));
    const marks = async (journey: string) => {
      const handle = await runOf(journey, email);
      await handle.result();
      const events = (await handle.fetchHistory()).events ?? [];
      return events.filter(
        (event) =>
          event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields
            ?.TownhallStep,
      ).length;
    };
    // Each mark is a billed action: the journey that turns them off has none.
    expect(await marks('marked')).toBe(1);
    expect(await marks('unmarked')).toBe(0);
    expect(
      mailTo(email)
        .map((m) => m.subject)
        .sort(),
    ).toEqual(['After a marked wait, Marks M', 'After an unmarked wait, Marks M']);
  });

  it("tells the team in their channel once, with the member's name made inert", async () => {
    const name = '<!channel> Eve *now* https://evil.example';
    await join('UEVE', name);
    const asked = slackMessage('UEVE', 'please tell the team');
    await send(asked);
    await send(asked);
    const notices = () =>
      sandbox.emulators.slack.workspace.messages.filter((m) => m.channel === 'C0TEAM000');
    await waitFor('the notice', () => notices()[0]);
    await pause(1_500);
    expect(notices()).toHaveLength(1);
    const text = notices()[0]!.text;
    expect(text).toMatch(/^&lt;!channel&gt; Eve .*now.* asked for the team after 1 posts$/);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('https://evil.example');
  });

  it('replies in the thread the trigger came from, once, and skips a trigger outside one', async () => {
    await join('UTHANKS', '@here Thea');
    const inThread = slackMessage('UTHANKS', 'thanks team, that fixed it');
    Object.assign(inThread.event, { thread_ts: '1700000000.000100' });
    await send(inThread);
    await send(inThread);
    await send(slackMessage('UTHANKS', 'thanks team again'));
    const replies = () =>
      sandbox.emulators.slack.workspace.messages.filter((m) =>
        m.text.startsWith('You are welcome'),
      );
    await waitFor('the thread reply', () => replies()[0]);
    await pause(1_500);
    expect(replies().map((m) => [m.channel, m.threadTs])).toEqual([
      ['C0GENERAL', '1700000000.000100'],
    ]);
    // The name's @here is text, not a ping.
    expect(replies()[0]!.text.replace(/\u2060/g, '')).toBe('You are welcome, @here Thea!');
    expect(replies()[0]!.text).not.toContain('@here');
    const runs = await t.db
      .selectFrom('journey_runs')
      .select('workflow_id')
      .where('journey', '=', 'thanks')
      .execute();
    expect(runs).toHaveLength(2);
    const client = hubClient();
    const outcomes = await Promise.all(
      runs.map(
        async (run) =>
          ((await client.workflow.getHandle(run.workflow_id).result()) as JourneyResult).steps[0]!
            .outcome,
      ),
    );
    expect(outcomes.sort()).toEqual(['sent', 'skipped: the trigger did not come from a thread']);
  });

  it("goes on with the member's steps when the team's notice is refused for good", async () => {
    const email = await join('UWRONG', 'Wren W');
    await send(slackMessage('UWRONG', 'wrong channel please'));
    const result = (await (await runOf('wrong-channel', email)).result()) as JourneyResult;
    // The bot is not in #random: Slack says not_in_channel, which no retry mends.
    expect(result.steps.map((s) => s.outcome)).toEqual([
      expect.stringMatching(/^failed: .*not_in_channel/),
      'sent',
    ]);
    expect(mailTo(email).map((m) => m.subject)).toEqual(['After the notice, Wren W']);
  });

  it("escapes the member's name in a DM: a mention in it stays text", async () => {
    sandbox.emulators.slack.workspace.addUser({ id: 'UDEE', name: 'dee', realName: 'Dee' });
    const email = await join('UDEE', '<!here> Dee');
    await send(slackMessage('UDEE', 'letters please'));
    await (await runOf('dm-after-unsubscribe', email)).result();
    const dms = sandbox.emulators.slack.workspace.messages.filter(
      (m) => m.channel.startsWith('D') && m.text.includes('Dee'),
    );
    expect(dms.map((m) => m.text)).toEqual(['Still here for you, &lt;!here&gt; Dee']);
  });
});
