import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DiscordConfig } from '../../connectors/discord/config.js';
import type { DiscordGateway } from '../../connectors/discord/gateway.js';
import { startDiscordGateway } from '../../connectors/discord/gateway.js';
import { createDiscordConnector } from '../../connectors/discord/client.js';
import type { CommunityEvent } from '../../connectors/events.js';
import { createLogger } from '../../runtime/logger.js';
import type { Sandbox } from '../../sandbox/index.js';
import { waitFor } from '../support/sandbox.js';
import { discordConfigFor, startDiscordSandbox } from '../support/discord.js';

const TOKEN = 'test-discord-gateway-token';
const logger = createLogger('test');
logger.level = 'silent';

let sandbox: Sandbox;
let config: DiscordConfig;
let gateway: DiscordGateway | undefined;

interface GatewayInspection {
  stats: {
    identifies: number;
    resumes: number;
    invalidSessions: number;
    heartbeats: number;
    paths: string[];
  };
  sessions: { id: string; seq: number; connected: boolean }[];
}
const inspectGateway = async () =>
  (await (await fetch(`${sandbox.url}/_sandbox/discord/gateway`)).json()) as GatewayInspection;

async function sandboxPost<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

interface Emitted {
  t: string;
  d: Record<string, unknown> & { id?: string; user?: { id: string } };
  delivered: { s: number; connected: boolean }[];
}
const emit = (t: string, d: Record<string, unknown> = {}) =>
  sandboxPost<Emitted>('/_sandbox/discord/emit', { t, d });
const kill = (body: Record<string, unknown> = {}) =>
  sandboxPost<{ killed: number }>('/_sandbox/discord/gateway/kill', body);

/** A route() that records what reached it, in order. */
function recorder() {
  const events: CommunityEvent[] = [];
  return {
    events,
    route: (event: CommunityEvent) => {
      events.push(event);
      return Promise.resolve('no-workflow');
    },
  };
}

beforeAll(async () => {
  sandbox = await startDiscordSandbox(TOKEN, { heartbeatIntervalMs: 250 });
  config = discordConfigFor(sandbox, TOKEN);
});
beforeEach(async () => {
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
});
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});
afterAll(() => sandbox?.stop());

describe('Discord gateway through discord.js and the emulator', () => {
  it('normalizes member, message, thread and reaction dispatches; bots and system notices are left out', async () => {
    const { events, route } = recorder();
    gateway = startDiscordGateway({ config, route, logger });
    await gateway.ready;
    const { ids } = sandbox.emulators.discord;

    const joined = await emit('GUILD_MEMBER_ADD', {
      user: { username: 'newbie', global_name: 'New Bie' },
    });
    const message = await emit('MESSAGE_CREATE', { author: 'grace', content: 'Hello all' });
    const inThread = await emit('MESSAGE_CREATE', {
      author: 'ada',
      channel_id: ids.channels.loginHelp,
      content: 'Still locked out',
    });
    await emit('MESSAGE_CREATE', { author: 'ada', content: 'joined', type: 7 });
    // The bot's own post comes back as MESSAGE_CREATE from a bot author.
    await createDiscordConnector(config).postMessage(
      ids.channels.general,
      'I am the bot',
      'bot-post',
    );
    const thread = await emit('THREAD_CREATE', {
      name: 'Billing question',
      parent_id: ids.channels.support,
    });
    const inNewThread = await emit('MESSAGE_CREATE', {
      author: 'grace',
      channel_id: thread.d.id,
      content: 'Charged twice',
    });
    await emit('MESSAGE_REACTION_ADD', {
      message_id: inThread.d.id,
      user_id: 'grace',
      emoji: { id: null, name: '🎫' },
    });
    await emit('GUILD_MEMBER_REMOVE', { user: { username: 'newbie' } });

    await waitFor('six events', () => (events.length >= 6 ? true : undefined), 10_000);
    expect(events.map((e) => e.type)).toEqual([
      'member.joined',
      'message.posted',
      'message.posted',
      'message.posted',
      'reaction.added',
      'member.left',
    ]);
    const [join, top, threaded, newThreaded, reaction] = events;
    expect(join).toMatchObject({
      eventId: expect.stringMatching(
        new RegExp(`^discord:member_add:${ids.guild}:${joined.d.user!.id}:`),
      ),
      member: {
        userId: joined.d.user!.id,
        communityId: ids.guild,
        name: 'New Bie',
        handle: 'newbie',
      },
    });
    expect(top).toMatchObject({
      eventId: `discord:message:${message.d.id}`,
      channelId: ids.channels.general,
      text: 'Hello all',
    });
    expect(top).not.toHaveProperty('threadId');
    expect(threaded).toMatchObject({
      channelId: ids.channels.support,
      threadId: ids.channels.loginHelp,
      text: 'Still locked out',
    });
    expect(newThreaded).toMatchObject({
      messageId: inNewThread.d.id,
      channelId: ids.channels.support,
      threadId: thread.d.id,
    });
    expect(reaction).toMatchObject({
      emoji: '🎫',
      messageId: inThread.d.id,
      threadId: ids.channels.loginHelp,
    });
    expect(gateway.pending()).toBe(0);
  });

  it('resumes after the socket is killed mid-stream and delivers every dispatch exactly once, in order', async () => {
    const { events, route } = recorder();
    gateway = startDiscordGateway({ config, route, logger });
    await gateway.ready;

    const expected: string[] = [];
    const post = async (content: string) => {
      const emitted = await emit('MESSAGE_CREATE', { author: 'ada', content });
      expected.push(`discord:message:${emitted.d.id}`);
      return emitted;
    };
    for (let i = 0; i < 5; i++) await post(`before ${i}`);
    expect((await kill()).killed).toBe(1);
    // While the client is away: buffered for its session, not delivered.
    for (let i = 0; i < 5; i++) {
      const emitted = await post(`while down ${i}`);
      expect(emitted.delivered).toEqual([expect.objectContaining({ connected: false })]);
    }
    await waitFor(
      'the client to resume',
      async () => ((await inspectGateway()).stats.resumes === 1 ? true : undefined),
      10_000,
    );
    for (let i = 0; i < 5; i++) await post(`after ${i}`);
    // Killed again, this time without a close frame (the client sees 1006).
    await kill({ terminate: true });
    await post('during second outage');

    await waitFor(
      'all messages',
      () => (events.length >= expected.length ? true : undefined),
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events.map((e) => e.eventId)).toEqual(expected);
    const { stats, sessions } = await inspectGateway();
    expect(stats.identifies).toBe(1);
    expect(stats.resumes).toBe(2);
    expect(stats.invalidSessions).toBe(0);
    expect(stats.paths).toEqual([
      '/discord/gateway',
      '/discord/gateway/resume',
      '/discord/gateway/resume',
    ]);
    expect(stats.heartbeats).toBeGreaterThan(0);
    expect(sessions).toEqual([expect.objectContaining({ connected: true })]);
  });

  it('identifies again when the session cannot be resumed (INVALID_SESSION)', async () => {
    const { events, route } = recorder();
    gateway = startDiscordGateway({ config, route, logger });
    await gateway.ready;
    await kill({ forget: true });
    await waitFor(
      'a new session',
      async () => ((await inspectGateway()).stats.identifies === 2 ? true : undefined),
      15_000,
    );
    const { stats } = await inspectGateway();
    expect(stats.invalidSessions).toBe(1);
    const after = await emit('MESSAGE_CREATE', { author: 'grace', content: 'after a new session' });
    await waitFor(
      'the message',
      () => events.find((e) => e.eventId === `discord:message:${after.d.id}`),
      10_000,
    );
  });

  it('keeps events while route() fails (store or Temporal down) and hands them over in order', async () => {
    const accepted: string[] = [];
    let failures = 0;
    gateway = startDiscordGateway({
      config,
      logger,
      retry: { initialMs: 50, maxMs: 200 },
      route: (event) => {
        if (failures < 6) {
          failures++;
          return Promise.reject(new Error('connect ECONNREFUSED (store down)'));
        }
        accepted.push(event.eventId);
        return Promise.resolve('no-workflow');
      },
    });
    await gateway.ready;
    const expected: string[] = [];
    for (let i = 0; i < 4; i++) {
      const emitted = await emit('MESSAGE_CREATE', { author: 'ada', content: `m${i}` });
      expected.push(`discord:message:${emitted.d.id}`);
    }
    await waitFor(
      'every event',
      () => (accepted.length === expected.length ? true : undefined),
      10_000,
    );
    expect(failures).toBe(6);
    expect(accepted).toEqual(expected);
    expect(gateway.pending()).toBe(0);
  });

  it('rejects ready when the bot token is wrong', async () => {
    gateway = startDiscordGateway({
      config: { ...config, botToken: 'wrong' },
      route: recorder().route,
      logger,
    });
    await expect(gateway.ready).rejects.toThrow();
  });
});
