// Poison events over HTTP: a signed delivery the store can never accept is quarantined in the dead
// letters and acknowledged (the sender stops retrying); an outage is still a 503 with nothing set
// aside; an unknown failure is counted and quarantined once it repeats; `townhall events` lists
// and replays. Real PostgreSQL, the real Temporal dev server, the real CLI as its own process.
import type { Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatDeadLetters } from '../../bin/events.js';
import { signSlackRequest } from '../../connectors/slack/signature.js';
import { signZendeskWebhook } from '../../connectors/zendesk/signature.js';
import { createLogger } from '../../runtime/logger.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import { TEST_PAYLOAD_KEYS } from '../support/payload-keys.js';
import { createApp } from '../../server/app.js';
import { createBusinessEventRouter } from '../../server/business-router.js';
import { createQuarantine } from '../../server/quarantine.js';
import { replayDeadLetter } from '../../server/replay.js';
import { deadLettersApiRoutes } from '../../server/routes/dead-letters-api.js';
import { createEventRouter } from '../../server/router.js';
import { webhookRoutes } from '../../server/webhooks.js';
import type { Db } from '../../store/db.js';
import { openDb } from '../../store/db.js';
import type { DeadLetterSummary } from '../../store/dead-letters.js';
import { listDeadLetters } from '../../store/dead-letters.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { townhall } from '../support/members-cli.js';
import { memberIdByEmail, onboardingRunsFor } from '../support/observe.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/sandbox.js';
import { postSlack, teamJoin } from '../support/slack.js';

const SLACK_SECRET = 'poison-test-slack-secret';
const ZENDESK_SECRET = 'poison-test-zendesk-secret';
const ADMIN_TOKEN = 'poison-test-admin-token-0123456789';
const ONBOARDING_WAIT_MS = 3_600_000;
const UNKNOWN_LIMIT = 3;
const logger = createLogger('test');
logger.level = 'silent';
const taskQueue = `poison-test-${randomBytes(4).toString('hex')}`;

let t: TestDb;
let temporal: Client;
let downTemporal: Client;
/** The same store, where a lock waits 300 ms at most: a held lock is then an outage. */
let impatientDb: Db | undefined;
const servers: Server[] = [];
let url: string;
let configFile: string;
let dataDir: string;

/** A townhall server on a free port with the quarantine on, as runtime/services.ts wires it. */
async function serve(db: Db, client: Client): Promise<string> {
  const community = createEventRouter({
    db,
    temporal: client,
    taskQueue,
    workflows: { onboarding: { enabled: true, steps: [{ type: 'wait', ms: ONBOARDING_WAIT_MS }] } },
    logger,
    startTimeoutMs: 1_500,
  });
  const app = createApp({
    logger,
    webhooks: webhookRoutes(
      {
        slack: { signingSecret: SLACK_SECRET },
        zendesk: {
          baseUrl: 'http://127.0.0.1:9',
          email: 'townhall@example.test',
          apiToken: 'unused',
          webhookSecret: ZENDESK_SECRET,
          ticketDefaults: { tags: [] },
        },
      },
      {
        community,
        business: createBusinessEventRouter({ db, logger }),
        quarantine: createQuarantine({
          db,
          logger,
          unknownFailuresBeforeQuarantine: UNKNOWN_LIMIT,
        }),
      },
      logger,
    ),
    checks: {},
    routers: [deadLettersApiRoutes({ db, logger }, ADMIN_TOKEN)],
  });
  const port = await freePort();
  await new Promise<void>((resolve) =>
    servers.push(app.listen(port, '127.0.0.1', () => resolve())),
  );
  return `http://127.0.0.1:${port}`;
}

/**
 * A lone UTF-16 surrogate in the member's name: valid JSON, signed, but PostgreSQL's jsonb
 * refuses the escape JSON.stringify writes for it (SQLSTATE 22P02), however often it is sent.
 */
const poisonJoin = () => teamJoin('UPOISON', 'poison@example.com', 'EvPoison1', 'Ada \ud800');

const deadLetters = (eventId: string) =>
  t.db.selectFrom('dead_letters').selectAll().where('event_id', '=', eventId).execute();
const receivedEvent = (eventId: string) =>
  t.db.selectFrom('received_events').selectAll().where('event_id', '=', eventId).executeTakeFirst();
const onboardingRuns = async (email: string) =>
  onboardingRunsFor(temporal, await memberIdByEmail(t.db, email));

/** The routers a replay uses, built as the server's are (not guarded: a replay reports). */
const replayDeps = () => ({
  db: t.db,
  community: createEventRouter({
    db: t.db,
    temporal,
    taskQueue,
    workflows: { onboarding: { enabled: true, steps: [{ type: 'wait', ms: ONBOARDING_WAIT_MS }] } },
    logger,
  }),
  business: createBusinessEventRouter({ db: t.db, logger }),
});

/** `townhall events ...` against this file's store and Temporal, as an operator runs it. */
const events = (...args: string[]) =>
  townhall(['events', ...args], {
    DATABASE_URL: t.url ?? '',
    TOWNHALL_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    // What the CLI writes to Temporal is encrypted; this file's clients read with the test key.
    TOWNHALL_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
  });

beforeAll(async () => {
  t = await openTestDb();
  temporal = createTemporalClient(inject('temporalAddress'), 'default');
  downTemporal = createTemporalClient(`127.0.0.1:${await freePort()}`, 'default');
  if (t.url) {
    const impatient = new URL(t.url);
    impatient.searchParams.set(
      'options',
      `${impatient.searchParams.get('options') ?? ''} -c lock_timeout=300`,
    );
    impatientDb = (await openDb({ url: impatient.toString() })).db;
  }
  url = await serve(t.db, temporal);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-poison-'));
  dataDir = path.join(dir, 'data');
  configFile = path.join(dir, 'townhall.config.yaml');
  writeFileSync(
    configFile,
    `connectors:\n  slack:\n    signingSecret: ${SLACK_SECRET}\nworkflows:\n  onboarding:\n    steps:\n      - wait: 1h\n`,
  );
});
afterAll(async () => {
  for (const server of servers) server.close();
  if (impatientDb) await impatientDb.destroy();
  await temporal.connection.close();
  await downTemporal.connection.close();
  await t.close();
});

describe('an event the store can never accept', () => {
  const poison = poisonJoin();

  it('is quarantined with its reason, acknowledged, and not stored as received', async () => {
    const response = await postSlack(url, SLACK_SECRET, poison);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { deadLetterId: number };
    expect(body).toEqual({ ok: true, outcome: 'quarantined', deadLetterId: expect.any(Number) });

    const [letter, ...more] = await deadLetters('slack:EvPoison1');
    expect(more).toEqual([]);
    expect(letter).toMatchObject({
      id: body.deadLetterId,
      source: 'slack',
      family: 'community',
      event_type: 'member.joined',
      status: 'quarantined',
      error_code: 'sqlstate:22P02',
      attempts: 1,
      community_id: 'T0TEST',
      user_id: 'UPOISON',
    });
    expect(letter!.reason).toContain('SQLSTATE 22P02');
    expect(letter!.quarantined_at).not.toBeNull();
    expect(await receivedEvent('slack:EvPoison1')).toBeUndefined();
  });

  it('answers a redelivery the same, counting it on the one row', async () => {
    const [before] = await deadLetters('slack:EvPoison1');
    const again = await postSlack(url, SLACK_SECRET, poison);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({
      ok: true,
      outcome: 'quarantined',
      deadLetterId: before!.id,
    });
    const rows = await deadLetters('slack:EvPoison1');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: before!.id, attempts: 2, status: 'quarantined' });
  });

  it('with a NUL in the name: stored as received, quarantined unprocessed', async () => {
    const response = await postSlack(
      url,
      SLACK_SECRET,
      teamJoin('UNUL', 'nul@example.com', 'EvNul1', 'Ada\u0000'),
    );
    expect(await response.json()).toMatchObject({ outcome: 'quarantined' });
    expect(await deadLetters('slack:EvNul1')).toMatchObject([
      { status: 'quarantined', error_code: 'sqlstate:22021' },
    ]);
    expect(await receivedEvent('slack:EvNul1')).toMatchObject({ processed_at: null });
    expect(await memberIdByEmail(t.db, 'nul@example.com')).toBeUndefined();
  });

  it('from a help desk: quarantined the same way; replayed once corrected', async () => {
    const stamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const comment = (id: string, text: string) => ({
      account_id: 1,
      detail: { id: '5158', external_id: 'handoff:x:1', requester_id: '2', status: 'OPEN' },
      event: {
        comment: {
          id: 987,
          body: text,
          is_public: true,
          author: { id: 3, is_staff: true, name: 'Agent' },
        },
      },
      id,
      subject: 'zen:ticket:5158',
      time: '2025-01-08T14:25:30.123Z',
      type: 'zen:event-type:ticket.comment_added',
      zendesk_event_version: '2022-11-06',
    });
    const raw = Buffer.from(JSON.stringify(comment('zd-poison-1', 'We are on it \udc00')));
    const response = await fetch(`${url}/webhooks/zendesk`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-zendesk-webhook-signature-timestamp': stamp,
        'x-zendesk-webhook-signature': signZendeskWebhook(ZENDESK_SECRET, stamp, raw),
      },
      body: raw,
    });
    expect(response.status).toBe(200);
    const { deadLetterId } = (await response.json()) as { deadLetterId: number };
    const [letter] = await t.db
      .selectFrom('dead_letters')
      .selectAll()
      .where('id', '=', deadLetterId)
      .execute();
    expect(letter).toMatchObject({ source: 'zendesk', family: 'business', user_id: '3' });

    const deps = {
      db: t.db,
      community: () => Promise.reject(new Error('no community event here')),
      business: createBusinessEventRouter({ db: t.db, logger }),
    };
    expect(await replayDeadLetter(deps, deadLetterId)).toMatchObject({
      status: 'failed',
      failure: { kind: 'poison', code: 'sqlstate:22P02' },
    });
    await t.db
      .updateTable('dead_letters')
      .set({ event: sql`replace(event, ${'\\udc00'}, '')` })
      .where('id', '=', deadLetterId)
      .execute();
    expect(await replayDeadLetter(deps, deadLetterId)).toMatchObject({
      status: 'replayed',
      outcome: 'recorded',
    });
    expect(await receivedEvent(letter!.event_id)).toMatchObject({
      processed_at: expect.any(Date),
    });
  });
});

// Each CLI run is a fresh process (a few seconds, more on a busy machine): three in all.
describe.runIf(process.env.DATABASE_URL)('townhall events', () => {
  it('lists the dead letters, without the events', { timeout: 120_000 }, async () => {
    const listed = await events('dead-letters', '--json');
    expect(listed.code).toBe(0);
    const letters = JSON.parse(listed.stdout) as DeadLetterSummary[];
    const poison = letters.find((letter) => letter.eventId === 'slack:EvPoison1');
    expect(poison).toMatchObject({
      status: 'quarantined',
      attempts: 2,
      errorCode: 'sqlstate:22P02',
    });
    expect(listed.stdout).not.toContain('poison@example.com');
    expect(listed.stdout).not.toContain('Ada');
    expect(formatDeadLetters([poison!])).toMatch(
      /^#\d+ {2}quarantined {2}slack member\.joined slack:EvPoison1 {2}2 deliveries, last .* UTC {2}sqlstate:22P02: store refused it/,
    );
  });

  it(
    'replays: the same failure keeps it (exit 1); once corrected it goes through (exit 0)',
    { timeout: 180_000 },
    async () => {
      const [letter] = await deadLetters('slack:EvPoison1');
      const failed = await events('replay', String(letter!.id), '--config', configFile);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain('failed again, kept: sqlstate:22P02');
      expect((await deadLetters('slack:EvPoison1'))[0]).toMatchObject({ status: 'quarantined' });

      // The operator corrects the stored event (the lone surrogate out of the name).
      await t.db
        .updateTable('dead_letters')
        .set({ event: sql`replace(event, ${'\\ud800'}, '')` })
        .where('id', '=', letter!.id)
        .execute();
      const replayed = await events('replay', String(letter!.id), '--config', configFile);
      expect(replayed.stderr).toBe('');
      expect(replayed.code).toBe(0);
      expect(replayed.stdout).toContain(
        `dead letter ${letter!.id} (slack:EvPoison1) replayed: started`,
      );
      expect((await deadLetters('slack:EvPoison1'))[0]).toMatchObject({
        status: 'replayed',
        replay_outcome: 'started',
        replayed_at: expect.any(Date),
      });
      expect(await receivedEvent('slack:EvPoison1')).toMatchObject({
        processed_at: expect.any(Date),
      });
      await waitFor('the onboarding run', async () =>
        (await onboardingRuns('poison@example.com')) > 0 ? true : undefined,
      );
      expect(await onboardingRuns('poison@example.com')).toBe(1);

      // Replayed is done: asked again, nothing happens; open lists leave it out.
      expect(await replayDeadLetter(replayDeps(), letter!.id)).toMatchObject({
        status: 'already-replayed',
        outcome: 'started',
      });
      const open = await listDeadLetters(t.db);
      expect(open.map((l) => l.eventId)).not.toContain('slack:EvPoison1');
      const all = await listDeadLetters(t.db, { all: true });
      expect(all.find((l) => l.eventId === 'slack:EvPoison1')).toMatchObject({
        status: 'replayed',
      });

      // The vendor redelivering the original still gets its 2xx, and nothing starts twice.
      const late = await postSlack(url, SLACK_SECRET, poisonJoin());
      expect(await late.json()).toMatchObject({
        outcome: 'quarantined',
        deadLetterId: letter!.id,
      });
      expect(await onboardingRuns('poison@example.com')).toBe(1);
    },
  );
});

it('a replay of an id that is not a dead letter is refused', async () => {
  expect(await replayDeadLetter(replayDeps(), 999_999)).toEqual({
    status: 'refused',
    id: 999_999,
    why: 'no dead letter 999999',
  });
});

describe('a slash command that can never be processed', () => {
  it('is answered in the platform’s form, telling its invoker it was set aside', async () => {
    // A NUL in the invoker's handle: stripped from the stored event, refused as a member's name.
    const raw = Buffer.from(
      new URLSearchParams({
        team_id: 'T0TEST',
        channel_id: 'C0GENERAL',
        user_id: 'UCMD',
        user_name: 'cmd\u0000',
        command: '/ticket',
        text: 'my login fails',
        trigger_id: 'poison.trigger.1',
      }).toString(),
    );
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(`${url}/webhooks/slack/commands`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': signSlackRequest(SLACK_SECRET, timestamp, raw),
      },
      body: raw,
    });
    expect(response.status).toBe(200);
    const [letter] = await deadLetters('slack:command:poison.trigger.1');
    expect(letter).toMatchObject({ status: 'quarantined', error_code: 'sqlstate:22021' });
    expect(await response.json()).toEqual({
      response_type: 'ephemeral',
      text: expect.stringContaining(`set it aside for its operators (dead letter ${letter!.id})`),
    });
  });
});

describe('GET /api/dead-letters', () => {
  it('lists them for the admin token only', async () => {
    expect((await fetch(`${url}/api/dead-letters`)).status).toBe(401);
    const wrong = await fetch(`${url}/api/dead-letters`, {
      headers: { authorization: 'Bearer not-the-admin-token' },
    });
    expect(wrong.status).toBe(401);
    const listed = await fetch(`${url}/api/dead-letters?all=1&limit=50`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(listed.status).toBe(200);
    const letters = (await listed.json()) as DeadLetterSummary[];
    expect(letters.map((letter) => letter.eventId)).toContain('slack:EvNul1');
    expect(JSON.stringify(letters)).not.toContain('nul@example.com');
    const bad = await fetch(`${url}/api/dead-letters?limit=0`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(bad.status).toBe(400);
  });
});

describe('a dependency outage', () => {
  it('Temporal unreachable: 503, nothing set aside, started on the retry', async () => {
    const downUrl = await serve(t.db, downTemporal);
    const body = teamJoin('UDOWN', 'down@example.com', 'EvDown1');
    const refused = await postSlack(downUrl, SLACK_SECRET, body);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await deadLetters('slack:EvDown1')).toEqual([]);
    const retried = await postSlack(url, SLACK_SECRET, body);
    expect(await retried.json()).toEqual({ ok: true, outcome: 'started' });
    expect(await deadLetters('slack:EvDown1')).toEqual([]);
  });

  it.runIf(process.env.DATABASE_URL)(
    'a table locked past the lock timeout (a migration running): 503, nothing set aside',
    async () => {
      const impatientUrl = await serve(impatientDb!, temporal);
      const holder = new pg.Client({ connectionString: t.url });
      await holder.connect();
      try {
        await holder.query('begin');
        await holder.query('lock table identities in access exclusive mode');
        const body = teamJoin('ULOCK', 'lock@example.com', 'EvLock1');
        const refused = await postSlack(impatientUrl, SLACK_SECRET, body);
        expect(refused.status).toBe(503);
        expect(await deadLetters('slack:EvLock1')).toEqual([]);
        await holder.query('rollback');
        const retried = await postSlack(impatientUrl, SLACK_SECRET, body);
        expect(await retried.json()).toEqual({ ok: true, outcome: 'started' });
        expect(await deadLetters('slack:EvLock1')).toEqual([]);
      } finally {
        await holder.query('rollback').catch(() => undefined);
        await holder.end();
      }
    },
  );
});

describe('a failure of unknown cause (code ahead of its migration)', () => {
  it(`is answered 503 and counted; quarantined at the ${UNKNOWN_LIMIT}rd; the rest goes through once fixed`, async () => {
    // A deploy whose code expects a column the store does not have (SQLSTATE 42703).
    await sql`alter table identities rename column timezone to timezone_old`.execute(t.db);
    const stuck = teamJoin('USTUCK', 'stuck@example.com', 'EvStuck1');
    const passing = teamJoin('UPASS', 'pass@example.com', 'EvPass1');
    try {
      for (let attempt = 1; attempt < UNKNOWN_LIMIT; attempt++) {
        const response = await postSlack(url, SLACK_SECRET, stuck);
        expect(response.status).toBe(503);
        expect(await deadLetters('slack:EvStuck1')).toMatchObject([
          { status: 'failing', attempts: attempt, error_code: 'sqlstate:42703' },
        ]);
      }
      const last = await postSlack(url, SLACK_SECRET, stuck);
      expect(last.status).toBe(200);
      expect(await last.json()).toMatchObject({ outcome: 'quarantined' });
      expect(await deadLetters('slack:EvStuck1')).toMatchObject([
        { status: 'quarantined', attempts: UNKNOWN_LIMIT },
      ]);
      expect((await postSlack(url, SLACK_SECRET, passing)).status).toBe(503);
    } finally {
      await sql`alter table identities rename column timezone_old to timezone`.execute(t.db);
    }
    // Fixed: the sender's retry goes through, and the failing row shows it was processed.
    expect(await (await postSlack(url, SLACK_SECRET, passing)).json()).toEqual({
      ok: true,
      outcome: 'started',
    });
    const [failing] = await deadLetters('slack:EvPass1');
    expect(failing).toMatchObject({ status: 'failing', attempts: 1 });
    const listed = await listDeadLetters(t.db);
    expect(listed.find((letter) => letter.eventId === 'slack:EvPass1')).toMatchObject({
      status: 'processed',
    });
    const [quarantined] = await deadLetters('slack:EvStuck1');
    expect(await replayDeadLetter(replayDeps(), quarantined!.id)).toMatchObject({
      status: 'replayed',
      outcome: 'started',
    });
  });
});
