import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscordConfig } from '../../connectors/discord/config.js';
import { startDiscordGateway } from '../../connectors/discord/gateway.js';
import type { CommunityEvent } from '../../connectors/events.js';
import { createLogger } from '../../runtime/logger.js';
import type { Sandbox } from '../../sandbox/index.js';
import { waitFor } from '../support/sandbox.js';
import { discordConfigFor, startDiscordSandbox } from '../support/discord.js';

const TOKEN = 'test-discord-spool-token';
const logger = createLogger('test');
logger.level = 'silent';

let sandbox: Sandbox;
let config: DiscordConfig;

beforeAll(async () => {
  sandbox = await startDiscordSandbox(TOKEN, { heartbeatIntervalMs: 250 });
  config = discordConfigFor(sandbox, TOKEN);
});
afterAll(async () => {
  await sandbox?.stop();
});

const join = async (username: string) => {
  const response = await fetch(`${sandbox.url}/_sandbox/discord/emit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ t: 'GUILD_MEMBER_ADD', d: { user: { username } } }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { d: { user: { id: string } } }).d.user.id;
};

describe('Discord gateway spool', () => {
  it('keeps events the store refused across a restart, and hands them over in order', async () => {
    const spoolFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'townhall-spool-')), 'spool');
    let refused = 0;
    // The store is down for this whole run.
    const down = startDiscordGateway({
      config,
      logger,
      spoolFile,
      retry: { initialMs: 50, maxMs: 100 },
      drainTimeoutMs: 100,
      route: () => {
        refused++;
        return Promise.reject(new Error('store down'));
      },
    });
    await down.ready;
    const ids = [await join('spool-one'), await join('spool-two')];
    await waitFor('both dispatches written ahead', () =>
      readFileSync(spoolFile, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"add"')).length >= 2
        ? true
        : undefined,
    );
    await waitFor('a refused attempt', () => (refused > 0 ? true : undefined));
    await down.stop();
    expect(down.pending()).toBe(2);

    // The next run (say, after a crash and restart) routes them before anything new.
    const routed: CommunityEvent[] = [];
    const up = startDiscordGateway({
      config,
      logger,
      spoolFile,
      route: (event) => {
        routed.push(event);
        return Promise.resolve('no-workflow');
      },
    });
    await up.ready;
    await waitFor('the spooled joins', () => (routed.length >= 2 ? true : undefined));
    await up.stop();
    expect(routed.map((e) => (e.type === 'member.joined' ? e.member.userId : e.type))).toEqual(ids);

    // Once accepted they are done: a third run has nothing to replay.
    const again: CommunityEvent[] = [];
    const third = startDiscordGateway({
      config,
      logger,
      spoolFile,
      route: (event) => {
        again.push(event);
        return Promise.resolve('no-workflow');
      },
    });
    await third.ready;
    await new Promise((resolve) => setTimeout(resolve, 300));
    await third.stop();
    expect(again).toEqual([]);
  });
});
