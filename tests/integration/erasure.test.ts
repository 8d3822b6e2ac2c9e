// "Delete me", through the running hub: a Slack member with a CRM contact, tickets in three help
// desks, a running journey and a handoff is erased over the admin API; the sandbox's CRM and desks
// and the store show what is left. A desk that is down holds the erasure until it returns.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registry } from '../../connectors/index.js';
import type { HelpDesk } from '../../connectors/ports.js';
import { buildCapabilities } from '../../runtime/capabilities.js';
import { createLogger } from '../../runtime/logger.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import type { ErasureRecord } from '../../store/erasures.js';
import type { JourneyResult } from '../../workflows/journey/types.js';
import type { TestDb } from '../support/db.js';
import { hubClient, TEST_PAYLOAD_KEYS } from '../support/payload-keys.js';
import { openTestDb } from '../support/db.js';
import { emitSlack, joinSlack, pause } from '../support/handoff.js';
import { CONTEXT_DIRS, INTERCOM, PROVIDERS, ZENDESK } from '../support/helpdesk-providers.js';
import { testDeployment } from '../support/hub.js';
import { townhall } from '../support/members-cli.js';
import { freePort } from '../support/ports.js';
import {
  SANDBOX_HUBSPOT_TOKEN,
  sandboxEmailYaml,
  sandboxSlackYaml,
  SANDBOX_SLACK_SECRET,
  waitFor,
} from '../support/sandbox.js';
import type { TownhallProcess } from '../support/townhall-process.js';
import { printedUrl } from '../support/townhall-process.js';

const TOKEN = 'erasure-test-admin-token-0123456789';
const HUBSPOT_SECRET = 'erasure-test-hubspot-secret';
const desks = Object.fromEntries(
  ['Zendesk', 'Intercom (tickets)', 'Freshdesk'].map((name) => [
    name,
    PROVIDERS.find((provider) => provider.name === name)!,
  ]),
);

let sandbox: Sandbox;
let t: TestDb;
let hub: TownhallProcess;
let server: string;
let deployment: ReturnType<typeof testDeployment>;
const temporal = () => hubClient();

beforeAll(async () => {
  sandbox = await startSandbox({
    port: await freePort(),
    vendors: {
      hubspot: { accessToken: SANDBOX_HUBSPOT_TOKEN, clientSecret: HUBSPOT_SECRET },
      slack: { signingSecret: SANDBOX_SLACK_SECRET },
      zendesk: { email: ZENDESK.email, apiToken: ZENDESK.apiToken },
      intercom: { accessToken: INTERCOM.accessToken },
    },
  });
  t = await openTestDb();
  const deskSections = Object.values(desks).flatMap((desk) =>
    Object.entries(desk.connectors(sandbox.url)).map(
      ([id, section]) => `  ${id}: ${JSON.stringify(section)}`,
    ),
  );
  deployment = testDeployment(
    'erasure',
    `
connectors:
${sandboxSlackYaml(sandbox, { bot: true })}
  hubspot:
    accessToken: ${SANDBOX_HUBSPOT_TOKEN}
    clientSecret: ${HUBSPOT_SECRET}
    baseUrl: ${sandbox.url}
${deskSections.join('\n')}
${sandboxEmailYaml(sandbox, 'erasure-test-unsubscribe-secret')}
providers: { crm: hubspot, helpdesk: zendesk }
workflows:
  crmSync: { interval: 2s }
  onboarding:
    steps:
      - email.send: { template: welcome, subject: 'Welcome, {{ member.name }}' }
journeys:
  nudge:
    trigger: { event: member.joined }
    steps:
      - wait: 10m
handoff:
  quiet_after: 1h
  rules:
    - { on: reaction, platform: slack, helpdesk: zendesk }
`,
    t,
  );
  hub = await deployment.start({ TOWNHALL_ADMIN_TOKEN: TOKEN });
  server = printedUrl(hub, 'server');
  sandbox.setTownhallUrl(server);
});
afterAll(async () => {
  hub?.child.kill('SIGKILL');
  await sandbox?.stop();
  await t?.close();
});

const api = (method: string, path: string, token = TOKEN) =>
  fetch(`${server}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(method === 'POST' ? { body: '{"requestedBy":"dpo","reason":"GDPR art. 17 request"}' } : {}),
  });

async function erasureOf(ref: string): Promise<ErasureRecord | undefined> {
  const response = await api('GET', `/api/erasures/${encodeURIComponent(ref)}`);
  return response.status === 200 ? ((await response.json()) as ErasureRecord) : undefined;
}

/** A ticket for the address on a desk, opened through the desk's own port (as a handoff would). */
async function ticketOn(deskName: string, email: string, externalId: string) {
  const context = {
    logger: createLogger('test'),
    publicUrl: 'http://127.0.0.1:3000',
    ...CONTEXT_DIRS,
  };
  const port: HelpDesk = buildCapabilities(
    { connectors: desks[deskName]!.connectors(sandbox.url) },
    registry,
    context,
  ).helpdesk!;
  await port.createTicket({
    externalId,
    requester: { email, name: 'Member' },
    subject: 'Billing question',
    body: 'Why was I charged twice?',
  });
}

async function hubspotContact(email: string): Promise<number> {
  const response = await fetch(
    `${sandbox.url}/crm/v3/objects/contacts/${encodeURIComponent(email)}?idProperty=email`,
    { headers: { authorization: `Bearer ${SANDBOX_HUBSPOT_TOKEN}` } },
  );
  return response.status;
}

async function peopleWith(email: string): Promise<string[]> {
  const holding: string[] = [];
  for (const [name, desk] of Object.entries(desks))
    if ((await desk.people(sandbox.url)).some((person) => person.email === email))
      holding.push(name);
  return holding;
}

/** A member who joined on Slack, with a HubSpot contact and tickets on Intercom and Freshdesk. */
async function memberEverywhere(userId: string, name: string): Promise<string> {
  const email = await joinSlack(sandbox, userId, name);
  // The hub's CRM sync (every 2 s here) may write the contact first: 409, it exists all the same.
  const created = await fetch(`${sandbox.url}/crm/v3/objects/contacts`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${SANDBOX_HUBSPOT_TOKEN}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ properties: { email, firstname: name } }),
  });
  expect([201, 409]).toContain(created.status);
  expect(await hubspotContact(email)).toBe(200);
  await ticketOn('Intercom (tickets)', email, `test:${userId}:intercom`);
  await ticketOn('Freshdesk', email, `test:${userId}:freshdesk`);
  return email;
}

const welcomes = (email: string) =>
  sandbox.emulators.email.list().filter((mail) => mail.to.includes(email));

describe('forget', () => {
  it('erases a member from the CRM, three help desks and the store, stops their journey and handoff, and a second forget is a no-op', async () => {
    const email = await memberEverywhere('UERASE01', 'Erin Erase');
    await waitFor('the welcome email', () => (welcomes(email).length === 1 ? true : undefined));
    // The handoff: a 🎫 on the member's message opens a Zendesk ticket for them.
    const root = await emitSlack(sandbox, { user: 'UERASE01', text: 'My invoice is wrong' });
    await emitSlack(sandbox, {
      type: 'reaction_added',
      user: 'UHELPER01',
      reaction: 'ticket',
      item: { type: 'message', channel: 'C0GENERAL', ts: root },
    });
    await waitFor('the Zendesk requester', async () =>
      (await peopleWith(email)).length === 3 ? true : undefined,
    );
    const handoff = await waitFor('the handoff run', async () => {
      const row = await t.db
        .selectFrom('handoff_threads')
        .select('workflow_id')
        .where('ticket_id', 'is not', null)
        .executeTakeFirst();
      return row?.workflow_id;
    });
    const journeyId = await waitFor('the journey run', async () => {
      const row = await t.db.selectFrom('journey_runs').select('workflow_id').executeTakeFirst();
      return row?.workflow_id;
    });
    expect(await hubspotContact(email)).toBe(200);

    // Without the admin token nothing starts.
    expect((await api('POST', `/api/members/${email}/forget`, '')).status).toBe(401);
    expect(
      (await api('POST', `/api/members/${email}/forget`, 'wrong-token-wrong-token')).status,
    ).toBe(401);
    expect(await t.db.selectFrom('erasures').select('id').execute()).toEqual([]);

    const started = await api('POST', `/api/members/${email}/forget`);
    expect(started.status).toBe(202);
    const { erasureId } = (await started.json()) as { erasureId: string };
    const done = await waitFor('the erasure', async () => {
      const erasure = await erasureOf(erasureId);
      return erasure?.completedAt ? erasure : undefined;
    });

    // The audit record: every system's outcome, who asked, what stays elsewhere; no address.
    expect(Object.keys(done.outcomes).sort()).toEqual([
      'crm:hubspot',
      'helpdesk:freshdesk',
      'helpdesk:intercom',
      'helpdesk:zendesk',
      'runs',
      'store',
    ]);
    for (const outcome of Object.values(done.outcomes)) expect(outcome.status).toBe('done');
    expect(done.pending).toEqual([]);
    expect(done.requestedBy).toBe('dpo');
    expect(done.notErasable).toEqual([
      expect.stringContaining('posted on slack'),
      expect.stringContaining('tickets on zendesk'),
      expect.stringContaining('tickets on intercom'),
      expect.stringContaining('tickets on freshdesk'),
    ]);
    const row = await t.db.selectFrom('erasures').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(email);
    expect(row.member_id).toBeNull();

    // The vendors hold nothing of them. A CRM sync page that read the member before the erasure
    // began may write them back after the erasure deleted them (the hub syncs every 2 s here):
    // that page deletes them again once it has written (activities/erased-writes.ts).
    await waitFor('the HubSpot contact gone', async () =>
      (await hubspotContact(email)) === 404 ? true : undefined,
    );
    expect(await peopleWith(email)).toEqual([]);

    // Their runs ended before another step.
    const client = temporal();
    const journey = (await client.workflow.getHandle(journeyId).result()) as JourneyResult;
    expect(journey.exited).toBe('erased');
    expect(done.outcomes.runs!.detail).toMatch(
      /^1 journey run\(s\) ended, 1 onboarding\/handoff run\(s\) cancelled/,
    );
    expect((await client.workflow.getHandle(handoff).describe()).status.name).toBe('CANCELLED');

    // The store keeps the suppression and the redacted event ids, nothing that names them.
    const members = await t.db
      .selectFrom('members')
      .select('id')
      .where(sql<boolean>`lower(email) = ${email}`)
      .execute();
    expect(members).toEqual([]);
    const identities = await t.db
      .selectFrom('identities')
      .select('member_id')
      .where('platform_user_id', '=', 'UERASE01')
      .execute();
    expect(identities).toEqual([]);
    const activity = await t.db
      .selectFrom('activity')
      .select('event_id')
      .where('platform_user_id', '=', 'UERASE01')
      .execute();
    expect(activity).toEqual([]);
    const events = await t.db.selectFrom('received_events').select('payload').execute();
    expect(JSON.stringify(events)).not.toContain(email);
    expect(JSON.stringify(events)).not.toContain('UERASE01');
    expect(await t.db.selectFrom('suppressions').select('email_hash').execute()).toHaveLength(1);

    // Asking again changes nothing and says so.
    const again = await api('POST', `/api/members/${email}/forget`);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { state: string }).state).toBe('already-erased');
    expect(await erasureOf(email)).toEqual(done);
    if (t.url) {
      const status = await townhall(
        ['forget', '--config', deployment.configFile, '--status', email],
        {
          DATABASE_URL: t.url,
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          TOWNHALL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
        },
      );
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain(`erasure ${erasureId}: complete`);
      expect(status.stdout).not.toContain(email);
    }

    // They come back: a new member, not mailed again, since they did not opt in.
    await joinSlack(sandbox, 'UERASE01', 'Erin Erase');
    await waitFor(
      'the new member',
      async () =>
        (await t.db
          .selectFrom('identities')
          .select('member_id')
          .where('platform_user_id', '=', 'UERASE01')
          .executeTakeFirst()) ?? undefined,
    );
    await pause(3_000);
    expect(welcomes(email)).toHaveLength(1);
  });

  it('waits for a help desk that is down and completes once it answers', async () => {
    const email = await memberEverywhere('UERASE02', 'Dora Down');
    await waitFor(
      'the member',
      async () =>
        (await t.db
          .selectFrom('identities')
          .select('member_id')
          .where('platform_user_id', '=', 'UERASE02')
          .executeTakeFirst()) ?? undefined,
    );
    const down = await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'freshdesk', status: 503, count: 100_000 }),
    });
    expect(down.status).toBe(201);

    const started = await api('POST', `/api/members/${email}/forget`);
    expect(started.status).toBe(202);
    const { erasureId } = (await started.json()) as { erasureId: string };
    const waiting = await waitFor('the other systems', async () => {
      const erasure = await erasureOf(erasureId);
      return erasure?.outcomes['helpdesk:zendesk']?.status === 'done' &&
        erasure.outcomes['helpdesk:intercom']?.status === 'done' &&
        erasure.outcomes['crm:hubspot']?.status === 'done' &&
        erasure.outcomes['helpdesk:freshdesk']?.detail.includes('retrying')
        ? erasure
        : undefined;
    });
    expect(waiting.completedAt).toBeNull();
    expect(waiting.pending.sort(), JSON.stringify(waiting.outcomes)).toEqual([
      'helpdesk:freshdesk',
      'store',
    ]);
    expect(waiting.outcomes['helpdesk:freshdesk']).toMatchObject({ status: 'pending' });
    // The store still holds them: the desk needs the address until it has erased it.
    expect(await peopleWith(email)).toEqual(['Freshdesk']);

    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
    const done = await waitFor(
      'the erasure after the desk is back',
      async () => {
        const erasure = await erasureOf(erasureId);
        return erasure?.completedAt ? erasure : undefined;
      },
      90_000,
    );
    expect(done.pending).toEqual([]);
    expect(await peopleWith(email)).toEqual([]);
    expect(await hubspotContact(email)).toBe(404);
  }, 150_000);

  it("erases a member when they ask the CRM to delete them (HubSpot's GDPR delete webhook)", async () => {
    const email = await joinSlack(sandbox, 'UERASE03', 'Gus Gdpr');
    await ticketOn('Intercom (tickets)', email, 'test:UERASE03:intercom');
    // The sync links the member to the contact it writes.
    await waitFor(
      'the CRM link',
      async () =>
        (await t.db
          .selectFrom('crm_links as l')
          .innerJoin('identities as i', 'i.member_id', 'l.member_id')
          .select('l.person_id')
          .where('i.platform_user_id', '=', 'UERASE03')
          .executeTakeFirst()) ?? undefined,
    );
    // The person asks HubSpot; HubSpot tells townhall with a contact.privacyDeletion webhook.
    const deleted = await fetch(`${sandbox.url}/crm/v3/objects/contacts/gdpr-delete`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${SANDBOX_HUBSPOT_TOKEN}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ objectId: email, idProperty: 'email' }),
    });
    expect(deleted.status).toBe(204);
    const done = await waitFor('the erasure', async () => {
      const erasure = await erasureOf(email);
      return erasure?.completedAt ? erasure : undefined;
    }).catch((e) => {
      console.log(hub.output());
      throw e;
    });
    expect(done.source).toBe('hubspot');
    expect(done.pending).toEqual([]);
    expect(await peopleWith(email)).toEqual([]);
    const left = await t.db
      .selectFrom('identities')
      .select('member_id')
      .where('platform_user_id', '=', 'UERASE03')
      .execute();
    expect(left).toEqual([]);
  });

  it('answers 404 for a member it never knew', async () => {
    const before = await t.db.selectFrom('erasures').select('id').execute();
    const response = await api('POST', '/api/members/nobody@example.com/forget');
    expect(response.status).toBe(404);
    expect(await t.db.selectFrom('erasures').select('id').execute()).toEqual(before);
  });
});
