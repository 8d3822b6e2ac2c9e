// The single member view across a restart of the whole hub: `townhall start` on the sandbox
// example, a person active on Slack and the forum (one email: one member) and on Discord (no
// email: a second member, merged by an operator), events sent by the sandbox's emitters. After
// the hub is stopped and started again, the admin API and `members show --json` tell the same
// roll-ups: nothing of it was held only in memory.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MemberDetails } from '../../server/member-details.js';
import type { SharedStore } from '../support/backfill.js';
import { openSharedStore, townhallCommand } from '../support/backfill.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/sandbox.js';
import type { TownhallProcess } from '../support/townhall-process.js';
import { printedUrl, spawnTownhall } from '../support/townhall-process.js';

const TOKEN = 'member-view-restart-admin-token';
const running: TownhallProcess[] = [];
let store: SharedStore;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-member-view-'));
  const dataDir = path.join(dir, 'data');
  store = await openSharedStore(dataDir);
  if (!store.url) await store.close();
  env = {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `member-view-${Date.now()}`,
    TOWNHALL_DATA_DIR: dataDir,
    DATABASE_URL: store.url ?? '',
    TOWNHALL_ADMIN_TOKEN: TOKEN,
    ONBOARDING_WAIT: '1h',
    // The same ports for both runs and the CLI: profile links are built from the config.
    PORT: String(await freePort()),
    SANDBOX_PORT: String(await freePort()),
    SANDBOX_SMTP_PORT: String(await freePort()),
  };
});
afterAll(async () => {
  for (const hub of running) hub.child.kill('SIGKILL');
  if (store?.url) await store.close();
});

const CONFIG = path.resolve('config/examples/sandbox.yaml');

async function startHub() {
  const hub = await spawnTownhall(['start', '--config', CONFIG], env);
  running.push(hub);
  const server = printedUrl(hub, 'server');
  const sandbox = printedUrl(hub, 'sandbox');
  return {
    hub,
    emit: async (vendor: string, body: unknown) => {
      const response = await fetch(`${sandbox}/_sandbox/${vendor}/emit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, await response.clone().text()).toBeLessThan(300);
    },
    api: async <T>(route: string): Promise<T> => {
      const response = await fetch(`${server}/api/members${route}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(200);
      return (await response.json()) as T;
    },
  };
}

async function stopHub(hub: TownhallProcess) {
  hub.child.kill('SIGINT');
  expect(await hub.exited).toBe(0);
}

type Found = { members: { id: string; email: string | null }[] };

describe('the member view after a restart', () => {
  it('shows one member on three platforms with the same roll-ups from the API and the CLI', async () => {
    const first = await startHub();
    await first.emit('slack', {
      type: 'team_join',
      user: { id: 'U0ADA', name: 'ada', profile: { email: 'ada@example.com', real_name: 'Ada' } },
    });
    await first.emit('slack', { type: 'message', user: 'U0ADA', text: 'hello everyone' });
    await first.emit('discourse', {
      event: 'user_created',
      user: { username: 'ada_l', name: 'Ada L', email: 'ADA@example.com' },
    });
    await first.emit('discourse', { event: 'post_created', post: { username: 'ada_l' } });
    // An address proves who someone is only once confirmed: then the forum identity joins.
    await first.emit('discourse', {
      event: 'user_confirmed_email',
      user: { username: 'ada_l', email: 'ADA@example.com' },
    });
    await first.emit('discord', {
      t: 'MESSAGE_CREATE',
      d: {
        author: { id: '1300000000000000001', username: 'ada_d', global_name: 'Ada D' },
        content: 'hi from discord',
      },
    });

    // Slack and the forum share the (confirmed) email: one member. Discord gives none: another.
    const ada = await waitFor('Ada on Slack and the forum', async () => {
      const found = await first.api<Found>('?q=ada@example.com');
      const id = found.members[0]?.id;
      if (!id) return undefined;
      const view = await first.api<MemberDetails>(`/${id}`);
      return view.activity.total >= 5 ? view : undefined;
    });
    expect(ada.identities.map((i) => i.platform).sort()).toEqual(['discourse', 'slack']);
    const discordUser = await waitFor('Ada on Discord', async () => {
      const found = await first.api<Found>('?q=ada_d');
      return found.members[0]?.id;
    });
    expect(discordUser).not.toBe(ada.id);
    await stopHub(first.hub);

    // An operator merges the Discord member into Ada (the CLI reads the store directly).
    const merged = await townhallCommand(
      [
        'members',
        'merge',
        ada.id,
        discordUser,
        '--reason',
        'same person, said so in #intros',
        '--actor',
        'ops@example.com',
        '--json',
        '--config',
        CONFIG,
      ],
      env,
    );
    expect(JSON.parse(merged.stdout)).toMatchObject({ keptMemberId: ada.id });

    // The whole hub again, a new process: what it shows comes from the store.
    const second = await startHub();
    const view = await second.api<MemberDetails>(`/${ada.id}`);
    await stopHub(second.hub);
    expect(view.identities.map((i) => i.platform).sort()).toEqual([
      'discord',
      'discourse',
      'slack',
    ]);
    expect(view.platforms.sort()).toEqual(['discord', 'discourse', 'slack']);
    // Joined Slack, posted on Slack, joined the forum, posted and confirmed there, posted on Discord.
    expect(view.activity.byPlatform).toEqual({ slack: 2, discourse: 3, discord: 1 });
    expect(view.activity.byType).toMatchObject({
      'message.posted': 3,
      'member.joined': 2,
      'member.updated': 1,
    });
    expect(view.activity.total).toBe(6);
    expect(view.milestones.map((m) => m.name)).toContain('first_post');
    // The operator's merge, and the forum identity's own, made when its address was confirmed.
    expect(view.merges).toHaveLength(2);
    expect(view.merges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ keptMemberId: ada.id, mergedMemberId: discordUser }),
        expect.objectContaining({
          keptMemberId: ada.id,
          reason: 'discourse confirmed the address the identity signed up with',
        }),
      ]),
    );

    // `members show --json` prints the same view.
    const shown = await townhallCommand(
      ['members', 'show', 'slack:U0ADA', '--json', '--config', CONFIG],
      env,
    );
    const cli = JSON.parse(shown.stdout) as MemberDetails;
    expect(cli.id).toBe(ada.id);
    expect(cli.activity).toEqual(view.activity);
    expect(cli.identities).toEqual(view.identities);
    expect(cli.milestones).toEqual(view.milestones);
  }, 240_000);
});
