// The inactivity trigger through the running hub: members post (signed Slack webhooks), go
// quiet, and a Temporal Schedule's scan of the member view enters them into the drip; the
// sandbox's mailbox shows what they got.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import { journeyScanId } from '../../workflows/journey-scan/types.js';
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
// Schedule ids are the namespace's: a name of this run's own.
const journey = `reengage-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await openTestDb();
  hub = await startTestHub(
    'inactive',
    `
connectors:
${sandboxSlackYaml(sandbox)}
${sandboxEmailYaml(sandbox, 'inactive-test-unsubscribe-secret')}
journeys:
  ${journey}:
    trigger: { inactive: 3s, scan_every: 1s }
    entry: { once_per: 1h }
    exit_when: [message.posted]
    steps:
      - email.send: { template: welcome, subject: 'We miss you, {{ member.name }}' }
      - wait: 5s
      - email.send: { template: day-two, subject: 'Still there, {{ member.name }}?' }
`,
    t,
  );
});
afterAll(async () => {
  await createTemporalClient(inject('temporalAddress'), 'default')
    .schedule.getHandle(journeyScanId(journey))
    .delete()
    .catch(() => undefined);
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

describe('an inactivity journey', () => {
  it('enters each lapse once however many scans find it; a member who comes back gets nothing more', async () => {
    await send(teamJoin('UGONE', 'gone@example.com', 'EvJoinGone', 'Gone G'));
    await send(teamJoin('UBACK', 'back@example.com', 'EvJoinBack', 'Back B'));
    await send(teamJoin('ULURK', 'lurk@example.com', 'EvJoinLurk', 'Lurk L'));
    await send(slackMessage('UGONE', 'first and last words'));
    await send(slackMessage('UBACK', 'hello'));

    await waitFor('both re-engagement emails', () =>
      subjectsTo('gone@example.com').length === 1 && subjectsTo('back@example.com').length === 1
        ? true
        : undefined,
    );
    // Back comes back between the first email and the second: the drip ends.
    await send(slackMessage('UBACK', 'sorry, busy month'));
    await waitFor(
      "Gone's second email",
      () => (subjectsTo('gone@example.com').length === 2 ? true : undefined),
      20_000,
    );
    // Five more scans (one a second) find Gone's lapse again; none enters it twice. Back's new
    // lapse would come due in 3 s, but `entry: once_per: 1h` holds it back.
    await new Promise((resolve) => setTimeout(resolve, 5_000));

    expect(subjectsTo('gone@example.com')).toEqual(['We miss you, Gone G', 'Still there, Gone G?']);
    expect(subjectsTo('back@example.com')).toEqual(['We miss you, Back B']);
    // Lurk only ever joined: never active, so never lapsed.
    expect(subjectsTo('lurk@example.com')).toEqual([]);
    const runs = await t.db
      .selectFrom('journey_runs')
      .select(['journey', 'workflow_id'])
      .where('journey', '=', journey)
      .execute();
    expect(runs).toHaveLength(2);
  });
});
