import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OnboardingConfig } from '../../workflows/onboarding/index.js';
import type { DiscordConfig } from '../../connectors/discord/config.js';
import type { DiscordGateway } from '../../connectors/discord/gateway.js';
import { startDiscordGateway } from '../../connectors/discord/gateway.js';
import { signDiscordRequest } from '../../connectors/discord/signature.js';
import { createLogger } from '../../runtime/logger.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import { interactionKeys } from '../../sandbox/discord/interactions.js';
import type { Sandbox } from '../../sandbox/index.js';
import { createApp } from '../../server/app.js';
import { storeCheck, temporalCheck } from '../../server/health.js';
import { createEventRouter } from '../../server/router.js';
import { webhookRoutes } from '../../server/webhooks.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/sandbox.js';
import { countReceivedEvents, onboardingRunsFor } from '../support/observe.js';
import { discordConfigFor, startDiscordSandbox } from '../support/discord.js';

/** A fixed application key, so the test can sign deliveries the way the sandbox does. */
const SEED = 'a3'.repeat(32);
const keys = interactionKeys(SEED);
const TOKEN = 'test-discord-events-token';
const logger = createLogger('test');
logger.level = 'silent';
const onboarding: OnboardingConfig = { enabled: true, steps: [{ type: 'wait', ms: 3_600_000 }] };

let t: TestDb;
let temporal: Client;
let sandbox: Sandbox;
let server: Server;
let url: string;
let config: DiscordConfig;

const countEvents = () => countReceivedEvents(t.db);

/** POSTs raw bytes to /webhooks/discord with Discord's signature headers. */
function deliver(
  body: string,
  options: {
    timestamp?: number;
    signWith?: ReturnType<typeof interactionKeys>;
    signBody?: string;
  } = {},
) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = signDiscordRequest(
    (options.signWith ?? keys).privateKey,
    timestamp,
    Buffer.from(options.signBody ?? body),
  );
  return fetch(`${url}/webhooks/discord`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-signature-ed25519': signature,
      'x-signature-timestamp': timestamp,
    },
    body,
  });
}

async function viaSandbox(body: Record<string, unknown>) {
  const response = await fetch(`${sandbox.url}/_sandbox/discord/interaction`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as {
    status: number;
    body: unknown;
    interaction: { id: string; member: { user: { id: string } } };
  };
}

async function onboardingRuns(userId: string): Promise<number> {
  const identity = await t.db
    .selectFrom('identities')
    .select('member_id')
    .where('platform', '=', 'discord')
    .where('platform_user_id', '=', userId)
    .executeTakeFirst();
  return onboardingRunsFor(temporal, identity?.member_id);
}

beforeAll(async () => {
  t = await openTestDb();
  temporal = createTemporalClient(inject('temporalAddress'), 'default');
  sandbox = await startDiscordSandbox(TOKEN, { signingSeed: SEED, heartbeatIntervalMs: 250 });
  config = discordConfigFor(sandbox, TOKEN);
  const route = createEventRouter({
    db: t.db,
    temporal,
    taskQueue: `discord-events-${randomBytes(4).toString('hex')}`,
    workflows: { onboarding },
    logger,
  });
  const app = createApp({
    logger,
    webhooks: webhookRoutes({ discord: config }, { community: route }, logger),
    checks: { store: storeCheck(t.db), temporal: temporalCheck(temporal) },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => {
    server = app.listen(port, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${port}`;
  sandbox.setTownhallUrl(url);
});
afterAll(async () => {
  server?.close();
  await sandbox?.stop();
  await t?.close();
});

describe('POST /webhooks/discord (HTTP interactions)', () => {
  it('exposes the sandbox application’s public key for connectors.discord.publicKey', async () => {
    const response = await fetch(`${sandbox.url}/_sandbox/discord/public-key`);
    expect(await response.json()).toEqual({
      public_key: keys.publicKeyHex,
      application_id: sandbox.emulators.discord.applicationId,
    });
    expect(sandbox.emulators.discord.publicKey).toBe(keys.publicKeyHex);
  });

  it('answers PING with PONG', async () => {
    expect(await viaSandbox({ type: 1 })).toMatchObject({ status: 200, body: { type: 1 } });
  });

  it('records /ticket as command.invoked once and acknowledges it with an ephemeral message', async () => {
    const sent = await viaSandbox({ command: 'ticket', text: 'I cannot log in', user: 'grace' });
    expect(sent).toMatchObject({
      status: 200,
      body: { type: 4, data: { flags: 64, content: expect.any(String) } },
    });
    const eventId = `discord:interaction:${sent.interaction.id}`;
    const row = await t.db
      .selectFrom('received_events')
      .select(['type', 'payload', 'processed_at'])
      .where('event_id', '=', eventId)
      .executeTakeFirstOrThrow();
    expect(row.type).toBe('command.invoked');
    expect(row.payload).toMatchObject({
      command: 'ticket',
      text: 'I cannot log in',
      channelId: sandbox.emulators.discord.ids.channels.general,
      member: { userId: sandbox.emulators.discord.ids.users.grace, handle: 'grace' },
    });
    expect(row.processed_at).not.toBeNull();

    // The same interaction delivered again (a replay within the window): answered, stored once.
    const before = await countEvents();
    const again = await deliver(JSON.stringify(sent.interaction));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ type: 4 });
    expect(await countEvents()).toBe(before);
  });

  it('reads /ticket in a thread with the thread and its parent channel', async () => {
    const { ids } = sandbox.emulators.discord;
    const sent = await viaSandbox({
      command: 'ticket',
      text: 'still locked out',
      channel_id: ids.channels.loginHelp,
    });
    expect(sent.status).toBe(200);
    const row = await t.db
      .selectFrom('received_events')
      .select('payload')
      .where('event_id', '=', `discord:interaction:${sent.interaction.id}`)
      .executeTakeFirstOrThrow();
    expect(row.payload).toMatchObject({
      channelId: ids.channels.support,
      threadId: ids.channels.loginHelp,
    });
  });

  it('answers other commands without recording anything', async () => {
    const before = await countEvents();
    const sent = await viaSandbox({ command: 'poll', text: 'lunch?' });
    expect(sent).toMatchObject({ status: 200, body: { type: 4, data: { flags: 64 } } });
    expect(await countEvents()).toBe(before);
  });

  it('rejects forged, stale and re-serialized deliveries with 401 and records nothing', async () => {
    const before = await countEvents();
    const { interaction } = await viaSandbox({ command: 'poll' });
    const body = JSON.stringify({
      ...interaction,
      id: '1310270000000000777',
      data: { id: '1', name: 'ticket', type: 1 },
    });
    expect((await deliver(body)).status).toBe(200 /* control: the same body, properly signed */);
    const fresh = JSON.stringify({ ...JSON.parse(body), id: '1310270000000000778' });
    const forged = await deliver(fresh, { signWith: interactionKeys() });
    expect(forged.status).toBe(401);
    const stale = await deliver(fresh, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    const reserialized = await deliver(fresh, {
      signBody: JSON.stringify(JSON.parse(fresh), null, 1),
    });
    expect(reserialized.status).toBe(401);
    const unsigned = await fetch(`${url}/webhooks/discord`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: fresh,
    });
    expect(unsigned.status).toBe(401);
    // Only the control delivery was recorded.
    expect(await countEvents()).toBe(before + 1);
    expect(
      await t.db
        .selectFrom('received_events')
        .select('event_id')
        .where('event_id', '=', 'discord:interaction:1310270000000000778')
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it('rejects signed but malformed bodies with 400 and records nothing', async () => {
    const before = await countEvents();
    expect((await deliver('{"type":2,')).status).toBe(400);
    const noId = await deliver(
      JSON.stringify({
        type: 2,
        application_id: '1',
        token: 't',
        data: { id: '1', name: 'ticket' },
      }),
    );
    expect(noId.status).toBe(400);
    expect(((await noId.json()) as { error: string }).error).toContain('id');
    const noData = await deliver(
      JSON.stringify({ id: '1310270000000000779', type: 2, application_id: '1', token: 't' }),
    );
    expect(noData.status).toBe(400);
    expect(await countEvents()).toBe(before);
  });
});

describe('Discord gateway into the event router', () => {
  let gateway: DiscordGateway | undefined;
  afterAll(() => gateway?.stop());

  it('starts one onboarding journey for a member who joins, even when the join is dispatched twice', async () => {
    const route = createEventRouter({
      db: t.db,
      temporal,
      taskQueue: `discord-events-${randomBytes(4).toString('hex')}`,
      workflows: { onboarding },
      logger,
    });
    gateway = startDiscordGateway({ config, route, logger });
    await gateway.ready;
    const emit = async (d: Record<string, unknown>) =>
      (await (
        await fetch(`${sandbox.url}/_sandbox/discord/emit`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ t: 'GUILD_MEMBER_ADD', d }),
        })
      ).json()) as { d: { user: { id: string }; joined_at: string } };
    const joined = await emit({ user: { username: 'journey', global_name: 'Journey Person' } });
    // Discord may deliver a dispatch again: the same member and joined_at.
    await emit({ user: { id: joined.d.user.id }, joined_at: joined.d.joined_at });

    const eventId = `discord:member_add:${sandbox.emulators.discord.guildId}:${joined.d.user.id}:${joined.d.joined_at}`;
    await waitFor(
      'both dispatches handled',
      async () => {
        const row = await t.db
          .selectFrom('received_events')
          .select('processed_at')
          .where('event_id', '=', eventId)
          .executeTakeFirst();
        return row?.processed_at && gateway!.pending() === 0 ? true : undefined;
      },
      10_000,
    );
    expect(await onboardingRuns(joined.d.user.id)).toBe(1);
  });
});
