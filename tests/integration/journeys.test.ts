// Journeys through the running hub: signed Slack webhooks in, the sandbox's mailbox out.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hubClient } from '../support/payload-keys.js';
import type { Sandbox } from '../../sandbox/index.js';
import type { JourneyReport } from '../../bin/journeys.js';
import type { Simulation } from '../../runtime/journey-simulation.js';
import type { JourneyResult } from '../../workflows/journey/types.js';
import type { StepOutcome } from '../../workflows/steps/run.js';
import { journeyWorkflowId } from '../../workflows/journey/types.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { townhallCommand } from '../support/backfill.js';
import {
  sandboxEmailYaml,
  sandboxSlackYaml,
  startTestSandbox,
  waitFor,
} from '../support/sandbox.js';
import { slackMessage, slackReaction, teamJoin } from '../support/slack.js';
import type { TestHub } from '../support/hub.js';
import { startTestHub } from '../support/hub.js';

let sandbox: Sandbox;
let t: TestDb;
let hub: TestHub;

/** The drip's wait: long enough to post in the middle of it. */
const WAIT = '6s';

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await openTestDb();
  hub = await startTestHub(
    'journeys',
    `
connectors:
${sandboxSlackYaml(sandbox)}
${sandboxEmailYaml(sandbox, 'journeys-test-unsubscribe-secret')}
journeys:
  drip:
    trigger: member.joined
    exit_when: [message.posted]
    steps:
      - email.send: { template: welcome, subject: 'First, {{ member.name }}' }
      - wait: ${WAIT}
      - email.send: { template: day-two, subject: 'Second, {{ member.name }}' }
  first-post:
    trigger: { milestone: first_post }
    steps:
      - email.send: { template: welcome, subject: 'Congrats on your first post, {{ member.name }}' }
  reacted:
    trigger: { event: reaction.added }
    steps:
      - wait_until:
          event: message.posted
          timeout: 4s
          then:
            - email.send: { template: welcome, subject: 'Glad you wrote, {{ member.name }}' }
          else:
            - email.send: { template: welcome, subject: 'Say hello, {{ member.name }}' }
  branch:
    trigger: { event: reaction.added }
    steps:
      - if:
          when: { milestone: first_post, has_email: true }
          then:
            - email.send: { template: welcome, subject: 'Posted already, {{ member.name }}' }
          else:
            - email.send: { template: welcome, subject: 'Not posted yet, {{ member.name }}' }
  letters:
    trigger: { event: message.posted, text: sign me up }
    exit_when: [unsubscribed]
    steps:
      - email.send: { template: welcome, subject: 'Letter one, {{ member.name }}' }
      - wait: 20s
      - email.send: { template: welcome, subject: 'Letter two, {{ member.name }}' }
  help:
    trigger: { event: message.posted, text: help }
    entry: every_time
    steps:
      - email.send: { template: welcome, subject: 'Help is on its way, {{ member.name }}' }
`,
    t,
  );
});
afterAll(async () => {
  hub?.process.child.kill('SIGKILL');
  await sandbox?.stop();
  await t?.close();
});

const subjectsTo = (email: string) =>
  sandbox.emulators.email
    .list()
    .filter((m) => m.to.includes(email))
    .map((m) => m.subject);

const send = (body: unknown) => hub.send(body);

const memberIdOf = async (email: string) =>
  (
    await t.db
      .selectFrom('members')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow()
  ).id;

/** `townhall simulate` of a journey of this config, with member events at offsets. */
async function simulated(journey: string, events: string[]): Promise<Simulation> {
  const { stdout } = await townhallCommand(
    [
      'simulate',
      journey,
      '--json',
      '--config',
      hub.configFile,
      ...events.flatMap((e) => ['--event', e]),
    ],
    {},
  );
  return JSON.parse(stdout) as Simulation;
}

/**
 * The real run and the simulation agree: the same steps at the same paths with the same
 * outcomes, each at the same time after the start (the real one later by its latency only).
 */
function sameTimeline(real: JourneyResult, simulation: Simulation) {
  const story = (steps: readonly StepOutcome[]) =>
    steps.map(({ path, type, outcome }) => ({ path, type, outcome }));
  expect(story(real.steps)).toEqual(story(simulation.timeline));
  expect(real.exited).toBe(simulation.exited);
  real.steps.forEach((step, index) => {
    const drift = step.at! - simulation.timeline[index]!.at;
    expect(drift).toBeGreaterThanOrEqual(-500);
    expect(drift).toBeLessThan(2_000);
  });
}

describe('journeys', () => {
  it('runs the whole drip for a quiet member, and ends it at once for one who posts', async () => {
    await send(teamJoin('UQUIET', 'quiet@example.com', 'EvJoinQuiet', 'Quiet Q'));
    await send(teamJoin('UTALK', 'talk@example.com', 'EvJoinTalk', 'Talk T'));
    // A redelivered join joins the same run.
    await send(teamJoin('UTALK', 'talk@example.com', 'EvJoinTalk', 'Talk T'));
    await waitFor('both first emails', () =>
      subjectsTo('quiet@example.com').length === 1 && subjectsTo('talk@example.com').length === 1
        ? true
        : undefined,
    );

    // In the middle of the wait, Talk posts: the drip ends now, not when the wait is over.
    const postedAt = Date.now();
    await send(slackMessage('UTALK', 'hello everyone'));
    const client = hubClient();
    const talk = client.workflow.getHandle(
      journeyWorkflowId('drip', await memberIdOf('talk@example.com')),
    );
    const ended = (await talk.result()) as JourneyResult;
    expect(ended.exited).toBe('message.posted');
    expect(ended.steps.map((s) => s.outcome)).toEqual(['sent', 'ended early: message.posted']);
    // `townhall simulate` with the post at the same offset tells the same story.
    const talkStart = (await talk.describe()).startTime.getTime();
    sameTimeline(ended, await simulated('drip', [`message.posted@${postedAt - talkStart}ms`]));

    const quiet = client.workflow.getHandle(
      journeyWorkflowId('drip', await memberIdOf('quiet@example.com')),
    );
    const whole = (await quiet.result()) as JourneyResult;
    expect(whole.exited).toBeUndefined();
    sameTimeline(whole, await simulated('drip', []));
    const description = await quiet.describe();
    expect(description.memo).toMatchObject({
      journey: 'drip',
      journeyHash: expect.stringMatching(/^[0-9a-f]{16}$/),
    });

    // Give a late or duplicate email every chance to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(subjectsTo('quiet@example.com')).toEqual(['First, Quiet Q', 'Second, Quiet Q']);
    expect(subjectsTo('talk@example.com')).toEqual([
      'First, Talk T',
      'Congrats on your first post, Talk T',
    ]);
  });

  it('starts a milestone journey once, and an every_time journey on each matching event', async () => {
    await send(teamJoin('UHELP', 'help@example.com', 'EvJoinHelp', 'Helpy H'));
    await send(slackMessage('UHELP', 'I need HELP with login'));
    const again = slackMessage('UHELP', 'still need help please');
    await send(again);
    await send(again);
    await send(slackMessage('UHELP', 'never mind'));
    await waitFor('the help emails', () =>
      subjectsTo('help@example.com').filter((s) => s.startsWith('Help')).length === 2
        ? true
        : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const subjects = subjectsTo('help@example.com');
    expect(subjects.filter((s) => s.startsWith('Congrats'))).toEqual([
      'Congrats on your first post, Helpy H',
    ]);
    expect(subjects.filter((s) => s.startsWith('Help'))).toEqual([
      'Help is on its way, Helpy H',
      'Help is on its way, Helpy H',
    ]);
  });

  it('takes the then path of a wait_until when the event comes, the else path when time is up', async () => {
    await send(teamJoin('UWRITE', 'write@example.com', 'EvJoinWrite', 'Writer W'));
    await send(teamJoin('USHY', 'shy@example.com', 'EvJoinShy', 'Shy S'));
    await send(slackReaction('UWRITE'));
    await send(slackReaction('USHY'));
    await waitFor('the reacted runs', async () =>
      (
        await t.db
          .selectFrom('journey_runs')
          .select('workflow_id')
          .where('journey', '=', 'reacted')
          .execute()
      ).length === 2
        ? true
        : undefined,
    );
    await send(slackMessage('UWRITE', 'my first words'));
    await waitFor(
      'both wait_until paths',
      () =>
        subjectsTo('write@example.com').some((s) => s.startsWith('Glad')) &&
        subjectsTo('shy@example.com').some((s) => s.startsWith('Say'))
          ? true
          : undefined,
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const reactedMail = (email: string) =>
      subjectsTo(email).filter((s) => s.startsWith('Glad') || s.startsWith('Say'));
    expect(reactedMail('write@example.com')).toEqual(['Glad you wrote, Writer W']);
    expect(reactedMail('shy@example.com')).toEqual(['Say hello, Shy S']);
  });

  it('branches an if on the member view: who has posted, who has not', async () => {
    await send(teamJoin('UPOSTER', 'poster@example.com', 'EvJoinPoster', 'Poster P'));
    await send(teamJoin('UQUIET2', 'quiet2@example.com', 'EvJoinQuiet2', 'Quiet Two'));
    await send(slackMessage('UPOSTER', 'a post before the reaction'));
    await send(slackReaction('UPOSTER'));
    await send(slackReaction('UQUIET2'));
    const branchMail = (email: string) =>
      subjectsTo(email).filter((s) => s.startsWith('Posted') || s.startsWith('Not posted'));
    await waitFor('both if paths', () =>
      branchMail('poster@example.com').length + branchMail('quiet2@example.com').length === 2
        ? true
        : undefined,
    );
    expect(branchMail('poster@example.com')).toEqual(['Posted already, Poster P']);
    expect(branchMail('quiet2@example.com')).toEqual(['Not posted yet, Quiet Two']);
  });

  it('ends a journey whose exit_when lists unsubscribed when the member clicks the link', async () => {
    await send(teamJoin('ULETTER', 'letter@example.com', 'EvJoinLetter', 'Letty L'));
    await send(slackMessage('ULETTER', 'please sign me up'));
    const first = await waitFor('the first letter', () =>
      sandbox.emulators.email
        .list()
        .find((m) => m.to.includes('letter@example.com') && m.subject.startsWith('Letter one')),
    );
    // The one-click link of RFC 8058, as a mail provider posts it.
    const link = /<(http[^>]+\/unsubscribe\/[^>]+)>/.exec(first.headers['list-unsubscribe']!)![1]!;
    const clicked = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(clicked.status).toBe(200);

    const client = hubClient();
    const run = await t.db
      .selectFrom('journey_runs')
      .select('workflow_id')
      .where('journey', '=', 'letters')
      .executeTakeFirstOrThrow();
    const result = (await client.workflow.getHandle(run.workflow_id).result()) as JourneyResult;
    expect(result.exited).toBe('unsubscribed');
    expect(subjectsTo('letter@example.com').filter((s) => s.startsWith('Letter'))).toEqual([
      'Letter one, Letty L',
    ]);
  });

  it('lists each journey with its runs, exits by reason and where running members wait', async () => {
    await send(teamJoin('UWAIT', 'wait@example.com', 'EvJoinWait', 'Waity W'));
    await waitFor('the first drip email', () =>
      subjectsTo('wait@example.com').length === 1 ? true : undefined,
    );
    const waiting = await memberIdOf('wait@example.com');
    const talk = await memberIdOf('talk@example.com');
    // The hub's task queue: runs of another hub sharing the namespace are not counted.
    const env = { TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: hub.taskQueue };
    const show = async (member: string) =>
      JSON.parse(
        (
          await townhallCommand(
            ['journeys', 'show', 'drip', '--member', member, '--json', '--config', hub.configFile],
            env,
          )
        ).stdout,
      ) as JourneyReport;
    // Ops find the run in the Temporal UI by journey, member and step (no PII in any).
    const client = hubClient();
    const found = await waitFor('the run by its search attributes', async () => {
      const ids: string[] = [];
      for await (const run of client.workflow.list({
        query: `TownhallJourney = 'drip' AND TownhallMember = '${waiting}' AND TownhallStep = 'steps[1] wait'`,
      }))
        ids.push(run.workflowId);
      return ids.length > 0 ? ids : undefined;
    });
    expect(found).toEqual([journeyWorkflowId('drip', waiting)]);

    const now = await show(waiting);
    expect(now).toMatchObject({ running: 1, completed: 0, waiting: { 'steps[1] wait': 1 } });
    expect(now.runs).toEqual([
      expect.objectContaining({
        memberId: waiting,
        status: 'RUNNING',
        position: { path: 'steps[1]', type: 'wait' },
      }),
    ]);
    expect(await show(talk)).toMatchObject({
      running: 0,
      completed: 1,
      exited: { 'message.posted': 1 },
    });

    const all = JSON.parse(
      (await townhallCommand(['journeys', '--json', '--config', hub.configFile], env)).stdout,
    ) as JourneyReport[];
    expect(all.map((report) => report.name)).toEqual([
      'drip',
      'first-post',
      'reacted',
      'branch',
      'letters',
      'help',
    ]);
    expect(all.find((report) => report.name === 'letters')).toMatchObject({
      running: 0,
      completed: 1,
      exited: { unsubscribed: 1 },
      failed: 0,
    });
    expect(all.find((report) => report.name === 'help')).toMatchObject({ completed: 2, failed: 0 });
  });
});
