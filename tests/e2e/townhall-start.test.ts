import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { SandboxContact } from '../../sandbox/hubspot.js';
import type { SandboxMail } from '../../sandbox/smtp.js';
import { freePort, isListening } from '../support/ports.js';
import { waitFor } from '../support/sandbox.js';
import { postSlack, teamJoin } from '../support/slack.js';
import type { TownhallProcess } from '../support/townhall-process.js';
import { printedUrl, spawnTownhall } from '../support/townhall-process.js';

let townhall: TownhallProcess | undefined;
afterAll(() => {
  townhall?.child.kill('SIGKILL');
});

const ada = {
  type: 'team_join',
  user: { id: 'U123', name: 'ada', profile: { email: 'ada@example.com', real_name: 'Ada' } },
};

describe('townhall start, from the outside', () => {
  it('runs the onboarding journey once per member, rejects forgeries, and stops cleanly', async () => {
    const workdir = mkdtempSync(path.join(os.tmpdir(), 'townhall-e2e-'));
    const ports = {
      PORT: await freePort(),
      SANDBOX_PORT: await freePort(),
      SANDBOX_SMTP_PORT: await freePort(),
      TEMPORAL_PORT: await freePort(),
      TEMPORAL_UI_PORT: await freePort(),
    };
    // The embedded defaults, as `npm start` in a folder without a config file gets them.
    townhall = await spawnTownhall(
      ['start'],
      {
        ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
        TOWNHALL_DATA_DIR: path.join(workdir, '.townhall'),
        ONBOARDING_WAIT: '3s',
        DATABASE_URL: '',
        TEMPORAL_ADDRESS: '',
        TOWNHALL_CONFIG: '',
      },
      120_000,
      workdir,
    );
    const sandbox = printedUrl(townhall, 'sandbox');
    const server = printedUrl(townhall, 'server');
    expect(townhall.output()).toContain('config/examples/sandbox.yaml');

    const emit = (query = '') =>
      fetch(`${sandbox}/_sandbox/slack/emit${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ada),
      });
    const contacts = async () =>
      (
        (await (await fetch(`${sandbox}/_sandbox/hubspot/contacts`)).json()) as SandboxContact[]
      ).filter((c) => c.properties.email === 'ada@example.com');
    const mail = async () =>
      ((await (await fetch(`${sandbox}/_sandbox/mail`)).json()) as SandboxMail[]).filter((m) =>
        m.to.includes('ada@example.com'),
      );

    const first = await emit();
    expect(first.status).toBe(200);
    const { eventId } = (await first.json()) as { eventId: string };

    await waitFor('one contact and one welcome email', async () =>
      (await contacts()).length === 1 && (await mail()).length === 1 ? true : undefined,
    );
    expect((await mail())[0]?.subject).toBe('Welcome to the community, Ada');

    // The same join five more times: three new envelopes, then Slack's retries of the first.
    for (const query of [
      '',
      '',
      '',
      `?event_id=${eventId}&retry_num=1`,
      `?event_id=${eventId}&retry_num=2`,
    ]) {
      expect((await emit(query)).status).toBe(200);
    }

    // A forged delivery for someone else starts nothing.
    const forged = await postSlack(
      server,
      'not-the-signing-secret',
      teamJoin('U666', 'mallory@example.com', 'EvForged'),
    );
    expect(forged.status).toBe(401);

    await waitFor('the day-two email', async () => ((await mail()).length >= 2 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await mail()).map((m) => m.subject)).toEqual([
      'Welcome to the community, Ada',
      'How is it going, Ada?',
    ]);
    expect(await contacts()).toHaveLength(1);
    const everyone = (await (
      await fetch(`${sandbox}/_sandbox/hubspot/contacts`)
    ).json()) as SandboxContact[];
    expect(everyone.map((c) => c.properties.email)).toEqual(['ada@example.com']);

    const client = createTemporalClient(`127.0.0.1:${ports.TEMPORAL_PORT}`, 'default');
    const journeys = [];
    for await (const run of client.workflow.list({ query: `WorkflowType = 'onboarding'` }))
      journeys.push(run);
    expect(journeys).toHaveLength(1);
    await client.connection.close();

    townhall.child.kill('SIGINT');
    expect(await townhall.exited).toBe(0);
    for (const port of Object.values(ports)) expect(await isListening(port)).toBe(false);
  });
});
