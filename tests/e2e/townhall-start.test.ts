import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { SandboxContact } from '../../sandbox/hubspot/index.js';
import type { SandboxMail } from '../../sandbox/email/index.js';
import { freePort, isListening } from '../support/ports.js';
import { waitFor } from '../support/sandbox.js';
import { postSlack, teamJoin } from '../support/slack.js';
import { walkTheConsole } from '../support/console-walkthrough.js';
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

const ports = {
  PORT: 0,
  SANDBOX_PORT: 0,
  SANDBOX_SMTP_PORT: 0,
  TEMPORAL_PORT: 0,
  TEMPORAL_UI_PORT: 0,
  // Not an environment variable of townhall's: TEMPORAL_METRICS_ADDRESS is built from it.
  TEMPORAL_METRICS_PORT: 0,
};
let sandbox: string;
let server: string;
let workdir: string;
/** The admin token `townhall start` made for itself (README: `cat .townhall/admin-token`). */
let adminToken: string;

const contactsFor = async (email: string) =>
  ((await (await fetch(`${sandbox}/_sandbox/hubspot/contacts`)).json()) as SandboxContact[]).filter(
    (c) => c.properties.email === email,
  );
const mailTo = async (email: string) =>
  ((await (await fetch(`${sandbox}/_sandbox/mail`)).json()) as SandboxMail[]).filter((m) =>
    m.to.includes(email),
  );

const sandboxJson = async <T>(route: string): Promise<T> =>
  (await (await fetch(`${sandbox}${route}`)).json()) as T;
/** Welcome DMs the journeys sent, on each platform's emulator, for a member's name. */
const slackDms = async (name: string) =>
  (await sandboxJson<{ channel: string; text: string }[]>('/_sandbox/slack/messages')).filter(
    (m) => m.channel.startsWith('D') && m.text.includes(`Welcome, ${name}!`),
  );
const discourseDms = async (username: string) =>
  (
    await sandboxJson<{ kind: string; target_recipients?: string[] }[]>(
      '/_sandbox/discourse/messages',
    )
  ).filter((m) => m.kind === 'private_message' && m.target_recipients?.includes(username));
const discordDms = async (userId: string) =>
  (
    await sandboxJson<{ recipient_id?: string; content: string }[]>('/_sandbox/discord/messages')
  ).filter((m) => m.recipient_id === userId);

/** A member joins the sandbox guild: a gateway dispatch townhall hears over its websocket. */
const discordJoin = (username: string, globalName: string) =>
  fetch(`${sandbox}/_sandbox/discord/emit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      t: 'GUILD_MEMBER_ADD',
      d: { user: { username, global_name: globalName } },
    }),
  });

async function onboardingJourneys(): Promise<string[]> {
  const client = createTemporalClient(`127.0.0.1:${ports.TEMPORAL_PORT}`, 'default');
  try {
    const ids: string[] = [];
    for await (const run of client.workflow.list({ query: `WorkflowType = 'onboarding'` }))
      ids.push(run.workflowId);
    return ids;
  } finally {
    await client.connection.close();
  }
}

/** /metrics with the admin token, as series → value (`name{labels}` as Prometheus prints it). */
async function scrape(): Promise<Record<string, number>> {
  const response = await fetch(`${server}/metrics`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  expect(response.status).toBe(200);
  const series: Record<string, number> = {};
  for (const line of (await response.text()).split('\n')) {
    const match = /^(\S+) (\S+)$/.exec(line);
    if (match && !line.startsWith('#')) series[match[1]!] = Number(match[2]);
  }
  return series;
}

// One townhall for the file: starting it (dev server, PGlite, bundle) is the slow part.
beforeAll(async () => {
  workdir = mkdtempSync(path.join(os.tmpdir(), 'townhall-e2e-'));
  for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
  // The embedded defaults, as `npm start` in a folder without a config file gets them.
  townhall = await spawnTownhall(
    ['start'],
    {
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      TOWNHALL_DATA_DIR: path.join(workdir, '.townhall'),
      ONBOARDING_WAIT: '3s',
      REDDIT_POLL_EVERY: '1s',
      REDDIT_QUIET_POLL_EVERY: '1s',
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      TOWNHALL_CONFIG: '',
      // As `npm start` runs without one: townhall makes its payload key and keeps it.
      TOWNHALL_PAYLOAD_KEYS: '',
      // Unset, as on a fresh machine: townhall makes one and keeps it in its data folder.
      TOWNHALL_ADMIN_TOKEN: '',
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${ports.TEMPORAL_METRICS_PORT}`,
    },
    120_000,
    workdir,
  );
  sandbox = printedUrl(townhall, 'sandbox');
  server = printedUrl(townhall, 'server');
  adminToken = readFileSync(path.join(workdir, '.townhall', 'admin-token'), 'utf8').trim();
}, 150_000);

describe('townhall start, from the outside', () => {
  it('uses the sandbox example config when the folder has none', () => {
    expect(townhall?.output()).toContain('config/examples/sandbox.yaml');
  });

  it('runs the onboarding journey once for a Slack join delivered six times, and rejects forgeries', async () => {
    const emit = (query = '') =>
      fetch(`${sandbox}/_sandbox/slack/emit${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ada),
      });

    const first = await emit();
    expect(first.status).toBe(200);
    const { eventId } = (await first.json()) as { eventId: string };

    await waitFor('one contact and one welcome email', async () =>
      (await contactsFor('ada@example.com')).length === 1 &&
      (await mailTo('ada@example.com')).length === 1
        ? true
        : undefined,
    );
    const [welcome] = await mailTo('ada@example.com');
    expect(welcome?.subject).toBe('Welcome to the community, Ada');
    // The sandbox config uses production transport settings: STARTTLS, AUTH, unsubscribe headers.
    expect(welcome).toMatchObject({ tls: true, authenticatedAs: 'sandbox' });
    expect(welcome?.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const link = /<(http[^>]+)>/.exec(welcome?.headers['list-unsubscribe'] ?? '')?.[1];
    expect(link?.startsWith(`${server}/unsubscribe/`)).toBe(true);

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

    await waitFor('the day-two email', async () =>
      (await mailTo('ada@example.com')).length >= 2 ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await mailTo('ada@example.com')).map((m) => m.subject)).toEqual([
      'Welcome to the community, Ada',
      'How is it going, Ada?',
    ]);
    expect(await contactsFor('ada@example.com')).toHaveLength(1);
    expect(await slackDms('Ada')).toHaveLength(1);
    expect(await contactsFor('mallory@example.com')).toHaveLength(0);
    expect(await mailTo('mallory@example.com')).toHaveLength(0);
    expect(await onboardingJourneys()).toHaveLength(1);
  });

  it('starts the same journey for a member who joins the Discourse forum, mailing her once she confirms her address', async () => {
    const before = (await onboardingJourneys()).length;
    const grace = { username: 'grace', name: 'Grace Hopper', email: 'grace@example.com' };
    const emit = (event = 'user_created') =>
      fetch(`${sandbox}/_sandbox/discourse/emit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event, user: grace }),
      });
    expect((await emit()).status).toBe(200);
    // Discourse sends user_created before the address is confirmed: the welcome waits for it.
    await waitFor("Grace's contact", async () =>
      (await contactsFor('grace@example.com')).length === 1 ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const confirmedAt = new Date().toISOString();
    expect((await emit('user_confirmed_email')).status).toBe(200);
    await waitFor("Grace's welcome email", async () =>
      (await mailTo('grace@example.com')).length === 1 ? true : undefined,
    );
    const [welcome] = await mailTo('grace@example.com');
    expect(welcome?.subject).toBe('Welcome to the community, Grace Hopper');
    expect(welcome!.receivedAt > confirmedAt).toBe(true);
    // Discourse re-delivers with a new X-Discourse-Event-Id; the signed body is what counts.
    expect((await emit()).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await contactsFor('grace@example.com')).toHaveLength(1);
    expect(await mailTo('grace@example.com')).toHaveLength(1);
    await waitFor("Grace's welcome private message", async () =>
      (await discourseDms('grace')).length === 1 ? true : undefined,
    );
    expect(await onboardingJourneys()).toHaveLength(before + 1);
  });

  it('starts the journey for a member who joins the Discord guild, heard on the gateway', async () => {
    const before = (await onboardingJourneys()).length;
    const emitted = await discordJoin('hedy', 'Hedy Lamarr');
    expect(emitted.status).toBe(200);
    const { d } = (await emitted.json()) as { d: { user: { id: string } } };
    // Discord members come without an email: no contact or email, but the DM step runs.
    await waitFor("Hedy's welcome DM on Discord", async () =>
      (await discordDms(d.user.id)).length === 1 ? true : undefined,
    );
    expect((await discordDms(d.user.id))[0]?.content).toBe(
      'Welcome, Hedy Lamarr! Introduce yourself whenever you like.',
    );
    expect(await onboardingJourneys()).toHaveLength(before + 1);
  });

  it('accepts the help desk webhooks the sandbox signs, and rejects forged ones', async () => {
    // A ticket made through Zendesk's API, then solved by an agent in the sandbox: Zendesk
    // sends townhall a signed ticket.status_changed (and a comment) webhook.
    const created = await fetch(`${sandbox}/api/v2/tickets.json`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('townhall@sandbox.zendesk.test/token:sandbox-zendesk-api-token').toString('base64')}`,
      },
      body: JSON.stringify({
        ticket: {
          subject: 'Login loop on the forum',
          comment: { body: 'From a community thread' },
          requester: { name: 'Ada', email: 'ada@example.com' },
          external_id: 'e2e-thread-1',
        },
      }),
    });
    expect(created.status).toBe(201);
    const { ticket } = (await created.json()) as { ticket: { id: number } };
    const solved = await fetch(`${sandbox}/_sandbox/zendesk/tickets/${ticket.id}/solve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'Fixed: clear your cookies.' }),
    });
    const { webhooks } = (await solved.json()) as { webhooks: { status: number | null }[] };
    expect(webhooks.length).toBeGreaterThan(0);
    expect(webhooks.map((w) => w.status)).toEqual(webhooks.map(() => 200));

    for (const vendor of ['zendesk', 'intercom', 'hubspot']) {
      const forged = await fetch(`${server}/webhooks/${vendor}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(forged.status, vendor).toBe(401);
    }
  });

  it('reads r/townhall: a first post there gets the welcome and the first-post messages', async () => {
    expect(townhall?.output()).toMatch(/^\s+pollers\s+reddit: townhall$/m);
    const submitted = await fetch(`${sandbox}/_sandbox/reddit/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        subreddit: 'townhall',
        author: 'reddit_ada',
        title: 'Hello from Reddit',
        text: 'First time here',
      }),
    });
    expect(submitted.status).toBe(201);
    const messages = await waitFor(
      'the private messages',
      async () => {
        const all = (await (await fetch(`${sandbox}/_sandbox/reddit/messages`)).json()) as {
          to: string;
          subject: string;
        }[];
        const mine = all.filter((message) => message.to === 'reddit_ada');
        return mine.length >= 2 ? mine : undefined;
      },
      45_000,
    );
    expect(messages.map((message) => message.subject).sort()).toEqual([
      'Welcome to the community',
      'Your first post',
    ]);
  });

  it('encrypts payloads with a key it keeps in its data folder, and points the Temporal UI at its codec', async () => {
    const keyFile = path.join(workdir, '.townhall', 'payload-keys');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^local-1:[A-Za-z0-9+/]{43}=\n$/);

    const client = createTemporalClient(`127.0.0.1:${ports.TEMPORAL_PORT}`, 'default');
    try {
      const [id] = await onboardingJourneys();
      const history = await client.workflow.getHandle(id!).fetchHistory();
      const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!;
      expect(input.length).toBeGreaterThan(0);
      for (const payload of input)
        expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe('binary/encrypted');
    } finally {
      await client.connection.close();
    }

    expect(townhall?.output()).toContain(`codec        ${server}/codec`);
    const settings = (await (
      await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/api/v1/settings`)
    ).json()) as { Codec: { Endpoint: string } };
    expect(settings.Codec.Endpoint).toBe(`${server}/codec`);
    const preflight = await fetch(`${server}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: `http://localhost:${ports.TEMPORAL_UI_PORT}`,
        'access-control-request-method': 'POST',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(
      `http://localhost:${ports.TEMPORAL_UI_PORT}`,
    );
  });

  it('counts what the walk-through did on /metrics, and the counters move with each delivery', async () => {
    expect((await fetch(`${server}/metrics`)).status).toBe(401);
    // Journey runs are counted from Temporal's visibility, which a run's completion reaches a
    // moment after its last step: the first-post run above has sent its messages by now.
    const before = await waitFor('the first-post run counted as completed', async () => {
      const now = await scrape();
      return now['townhall_journeys{journey="first-post",status="Completed"}'] ? now : undefined;
    });
    // Everything above, as Prometheus sees it.
    expect(before['townhall_webhooks_total{vendor="slack",outcome="accepted"}']).toBeGreaterThan(0);
    expect(before['townhall_webhooks_total{vendor="slack",outcome="duplicate"}']).toBeGreaterThan(
      0,
    );
    expect(before['townhall_webhooks_total{vendor="slack",outcome="401"}']).toBe(1);
    expect(before['townhall_webhooks_total{vendor="zendesk",outcome="401"}']).toBe(1);
    expect(before['townhall_events_total{type="member.joined"}']).toBeGreaterThan(0);
    expect(before['townhall_journeys{journey="first-post",status="Completed"}']).toBeGreaterThan(0);
    expect(before['townhall_handoffs_open']).toBeGreaterThanOrEqual(0);
    expect(before['townhall_crm_sync_lag_seconds{crm="hubspot"}']).toBeGreaterThanOrEqual(0);
    // The workers' vendor calls (contacts, emails, DMs above), none rate limited.
    expect(before['townhall_vendor_calls_total{connector="hubspot"}']).toBeGreaterThan(0);
    expect(before['townhall_vendor_calls_total{connector="email"}']).toBeGreaterThan(0);
    expect(before['townhall_vendor_rate_limited{connector="hubspot"}']).toBe(0);
    // Nobody went quiet long enough to enter re-engagement, so none exited it.
    expect(before['townhall_journey_exits{journey="re-engagement",reason="message.posted"}']).toBe(
      0,
    );

    // One new member, one forgery, one body too large: each counter moves by one.
    const joined = await fetch(`${sandbox}/_sandbox/slack/emit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...ada, user: { ...ada.user, id: 'UMETRICS', name: 'grace' } }),
    });
    expect(joined.status).toBe(200);
    const forged = await postSlack(
      server,
      'not-the-signing-secret',
      teamJoin('U667', 'eve@example.com', 'EvForged2'),
    );
    expect(forged.status).toBe(401);
    // One more member, heard on the Discord gateway (no webhook): counted as an event too.
    const gateway = await discordJoin('katherine', 'Katherine Johnson');
    expect(gateway.status).toBe(200);
    const huge = await fetch(`${server}/webhooks/slack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(1_100_000),
    });
    expect(huge.status).toBe(413);

    // The gateway's dispatch is routed a moment after the sandbox sends it.
    const after = await waitFor('the gateway join counted', async () => {
      const now = await scrape();
      const joined = now['townhall_events_total{type="member.joined"}'] ?? 0;
      return joined - (before['townhall_events_total{type="member.joined"}'] ?? 0) >= 2
        ? now
        : undefined;
    });
    const moved = (series: string) => (after[series] ?? 0) - (before[series] ?? 0);
    expect(moved('townhall_webhooks_total{vendor="slack",outcome="accepted"}')).toBe(1);
    expect(moved('townhall_webhooks_total{vendor="slack",outcome="401"}')).toBe(1);
    expect(moved('townhall_webhooks_total{vendor="slack",outcome="413"}')).toBe(1);
    // The Slack join by webhook and the Discord join by gateway.
    expect(moved('townhall_events_total{type="member.joined"}')).toBe(2);
    expect(moved('townhall_webhook_ack_seconds_count{vendor="slack"}')).toBe(3);
    expect(after['townhall_process_resident_memory_bytes']).toBeGreaterThan(0);

    // The Temporal SDK's worker metrics, on the endpoint TEMPORAL_METRICS_ADDRESS asked for.
    const sdk = await (
      await fetch(`http://127.0.0.1:${ports.TEMPORAL_METRICS_PORT}/metrics`)
    ).text();
    expect(sdk).toMatch(/^temporal_workflow_completed\{.*task_queue="townhall".*\} [1-9]/m);
    expect(sdk).toMatch(/^temporal_worker_task_slots_available\{/m);
  });

  it('shows ops, a member on two platforms and a handoff after 🎫 in the console, in a real browser', async () => {
    // The banner says where the console is and where its token is kept, never the token.
    expect(townhall?.output()).toContain(`console      ${server}/console`);
    expect(townhall?.output()).toContain(path.join('.townhall', 'admin-token'));
    expect(townhall?.output()).not.toContain(adminToken);
    expect((await fetch(`${server}/console/api/ops`)).status).toBe(401);
    // Grace joined the forum above; she joins Slack with the same address.
    await walkTheConsole({
      server,
      sandbox,
      token: adminToken,
      member: { name: 'Grace Hopper', email: 'grace@example.com', slackUserId: 'U0GRACE01' },
    });
  });

  it('stops everything on Ctrl-C, leaving no port open', async () => {
    townhall?.child.kill('SIGINT');
    expect(await townhall?.exited).toBe(0);
    for (const port of Object.values(ports)) expect(await isListening(port)).toBe(false);
  });
});
