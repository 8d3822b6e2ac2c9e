import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubClient } from '../support/payload-keys.js';
import type { Sandbox } from '../../sandbox/index.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import {
  SANDBOX_HUBSPOT_TOKEN,
  SANDBOX_SLACK_SECRET,
  sandboxEmailYaml,
  sandboxSlackYaml,
  startTestSandbox,
  waitFor,
} from '../support/sandbox.js';
import { upsertMemberFromIdentity } from '../../store/members.js';
import { postSlack, slackMessage, slackReaction, teamJoin } from '../support/slack.js';
import type { TownhallProcess } from '../support/townhall-process.js';
import { printedUrl } from '../support/townhall-process.js';
import { testDeployment } from '../support/hub.js';

let sandbox: Sandbox;
let t: TestDb;
const running: TownhallProcess[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await openTestDb();
});
afterAll(async () => {
  for (const process of running) process.child.kill('SIGKILL');
  await sandbox?.stop();
  await t?.close();
});

function crashConfig(): string {
  return `
connectors:
${sandboxSlackYaml(sandbox)}
  hubspot:
    accessToken: ${SANDBOX_HUBSPOT_TOKEN}
    baseUrl: ${sandbox.url}
${sandboxEmailYaml(sandbox, 'worker-crash-test-unsubscribe-secret')}
workflows:
  onboarding:
    steps:
      - crm.upsert_contact:
      - email.send: { template: welcome, subject: 'Welcome, {{ member.name }}' }
      - wait: 8s
      - email.send: { template: day-two, subject: 'Day two, {{ member.name }}' }
`;
}

/** A deployment whose processes are all killed when the file ends. */
function deployment(name: string, config: string) {
  const { taskQueue, start: spawn } = testDeployment(name, config, t);
  async function start(): Promise<TownhallProcess> {
    const hub = await spawn();
    running.push(hub);
    return hub;
  }
  return { taskQueue, start };
}

describe('a worker killed mid-wait', () => {
  it('is restarted and finishes the journey, each email sent once', async () => {
    const { taskQueue, start } = deployment('crash', crashConfig());

    const first = await start();
    const joined = await postSlack(
      printedUrl(first, 'server'),
      SANDBOX_SLACK_SECRET,
      teamJoin('UCRASH', 'crash@example.com', 'EvCrash1', 'Ada Crash'),
    );
    expect(joined.status).toBe(200);

    const mail = () =>
      sandbox.emulators.email.list().filter((m) => m.to.includes('crash@example.com'));
    await waitFor('the welcome email', () => (mail().length === 1 ? true : undefined));

    // Mid-wait: no graceful shutdown, no chance to flush anything.
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const killedAt = Date.now();

    const second = await start();
    await waitFor('the day-two email', () => (mail().length >= 2 ? true : undefined), 60_000);
    // Give a duplicate every chance to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    expect(mail().map((m) => m.subject)).toEqual(['Welcome, Ada Crash', 'Day two, Ada Crash']);
    expect(Date.parse(mail()[1]!.receivedAt)).toBeGreaterThan(killedAt);
    expect(
      sandbox.emulators.hubspot.list().filter((c) => c.properties.email === 'crash@example.com'),
    ).toHaveLength(1);

    const client = hubClient();
    const runs = [];
    for await (const run of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` }))
      runs.push(run);
    expect(runs.map((run) => run.status.name)).toEqual(['COMPLETED']);

    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });
});

/** Members of the crowd test: each in the store and in the sandbox workspace, with an email. */
const CROWD = 200;
const crowdId = (n: number) => `UCROWD${String(n).padStart(3, '0')}`;

function crowdConfig(): string {
  return `
temporal:
  # Slack's one call a second per queue would make 200 DMs a matter of minutes.
  activitiesPerSecond: { slack: 200 }
connectors:
${sandboxSlackYaml(sandbox, { bot: true })}
${sandboxEmailYaml(sandbox, 'worker-crash-test-unsubscribe-secret')}
journeys:
  crowd:
    trigger: { event: message.posted, text: count me in }
    steps:
      - email.send: { template: welcome, subject: 'Crowd one, {{ member.name }}' }
      # Every run waits here until the test reacts, after the restart: the kill cannot land in a
      # send however slow the machine (a timer here once ended mid-kill on a slow CI machine, and
      # an unconfirmed email is, rightly, never resent). The timeout's timer crosses the restart.
      - wait_until:
          event: reaction.added
          timeout: 10m
          then:
            - dm.send: { text: 'Crowd DM for {{ member.name }}' }
            - email.send: { template: welcome, subject: 'Crowd two, {{ member.name }}' }
`;
}

describe('a worker killed during 200 journeys with waits', () => {
  it('finishes every journey after a restart, each email and DM sent once', async () => {
    const { taskQueue, start } = deployment('crowd', crowdConfig());
    for (let n = 0; n < CROWD; n++) {
      sandbox.emulators.slack.workspace.addUser({ id: crowdId(n), name: `crowd${n}` });
      await upsertMemberFromIdentity(t.db, 'slack', {
        userId: crowdId(n),
        communityId: 'T0TEST',
        email: `crowd${n}@example.com`,
        name: `Crowd ${n}`,
      });
    }

    const first = await start();
    const server = printedUrl(first, 'server');
    // Ten at a time, as a busy workspace delivers them.
    for (let n = 0; n < CROWD; n += 10) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          postSlack(server, SANDBOX_SLACK_SECRET, slackMessage(crowdId(n + i), 'count me in!')),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    }

    const emails = (subject: string) =>
      sandbox.emulators.email.list().filter((m) => m.subject.startsWith(subject));
    const dms = () =>
      sandbox.emulators.slack.workspace.messages.filter((m) => m.text.startsWith('Crowd DM for'));
    await waitFor(
      'every first email',
      () => (emails('Crowd one').length === CROWD ? true : undefined),
      60_000,
    );
    // An email in the sandbox is not yet a step done: its activity's completion may still be on
    // its way to Temporal. A reaction that reached a run before its wait_until began would not
    // count (a wait_until waits for what comes after it starts), so the kill waits for every run
    // to be recorded at the wait.
    const client = hubClient();
    await waitFor(
      'every run at its wait_until',
      async () => {
        const { count } = await client.workflow.count(
          `TaskQueue = '${taskQueue}' AND TownhallStep = 'steps[1] wait_until'`,
        );
        return count === CROWD ? true : undefined;
      },
      60_000,
    );
    // In the middle of the 200 waits: no graceful shutdown, no chance to flush anything.
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const dmsBeforeRestart = dms().length;

    const second = await start();
    const restarted = printedUrl(second, 'server');
    for (let n = 0; n < CROWD; n += 10) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          postSlack(restarted, SANDBOX_SLACK_SECRET, slackReaction(crowdId(n + i))),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    }
    await waitFor(
      'every DM and second email',
      () => (dms().length >= CROWD && emails('Crowd two').length >= CROWD ? true : undefined),
      120_000,
    ).catch((error: unknown) => {
      throw new Error(
        `${String(error)}: ${dms().length} DMs, ${emails('Crowd two').length} second emails\n${second.output()}`,
      );
    });
    // Give a duplicate every chance to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const once = (texts: string[]) => new Set(texts).size === texts.length;
    expect(emails('Crowd one')).toHaveLength(CROWD);
    expect(emails('Crowd two')).toHaveLength(CROWD);
    expect(dms()).toHaveLength(CROWD);
    expect(once(emails('Crowd two').map((m) => m.to.join()))).toBe(true);
    expect(once(dms().map((m) => m.text))).toBe(true);
    // The kill came in the waits: every DM went out from the second worker.
    expect(dmsBeforeRestart).toBe(0);

    const statuses = new Map<string, number>();
    for await (const run of client.workflow.list({
      query: `TaskQueue = '${taskQueue}' AND WorkflowType = 'journey'`,
    }))
      statuses.set(run.status.name, (statuses.get(run.status.name) ?? 0) + 1);
    expect(Object.fromEntries(statuses)).toEqual({ COMPLETED: CROWD });

    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    // 200 journeys' starts, a restart, 200 reactions: its own waits allow up to three minutes.
  }, 180_000);
});
