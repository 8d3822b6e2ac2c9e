// `townhall members ...` as an operator runs it: each command its own process, reading only what
// the store holds. A person on Slack and the forum (one email: one member) and on Discord (no
// email: another member) is suggested, merged, shown with the right roll-ups, and unmerged.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberDetails } from '../../server/member-details.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import type { CliStore } from '../support/members-cli.js';
import { openCliStore, townhall } from '../support/members-cli.js';
import type { Person } from '../support/members.js';
import { act, linkCrm } from '../support/members.js';

let t: TestDb;
let store: CliStore;
let config: string;
let adaId: string;
let discordId: string;

const slack: Person = {
  platform: 'slack',
  userId: 'U0ADA',
  communityId: 'T0TEAM',
  email: 'ada@example.com',
  handle: 'ada',
  name: 'Ada Lovelace',
};
const forum: Person = {
  platform: 'discourse',
  userId: '42',
  email: 'ADA@example.com',
  handle: 'ada_l',
};
const discord: Person = { platform: 'discord', userId: '9001', handle: 'Ada' };

beforeAll(async () => {
  t = await openTestDb();
  store = await openCliStore(t);
  // Oldest first, as they happened: 120 days ago Ada joined Slack.
  adaId = await act(store.db, slack, [
    { type: 'member.joined', daysAgo: 120 },
    { type: 'reaction.added', daysAgo: 60 },
    { type: 'message.posted', daysAgo: 20 },
    { type: 'message.posted', daysAgo: 3 },
  ]);
  expect(
    await act(store.db, forum, [
      { type: 'message.posted', daysAgo: 45 },
      { type: 'message.posted', daysAgo: 5 },
    ]),
  ).toBe(adaId);
  discordId = await act(store.db, discord, [
    { type: 'reaction.added', daysAgo: 100 },
    { type: 'message.posted', daysAgo: 10 },
    { type: 'message.posted', daysAgo: 1 },
  ]);
  expect(discordId).not.toBe(adaId);
  await linkCrm(store.db, adaId, 'crm-one', 'person-1');
  await store.release();

  config = path.join(store.env.TOWNHALL_DATA_DIR!, 'townhall.config.yaml');
  writeFileSync(
    config,
    `connectors:
  discourse:
    baseUrl: https://forum.example.com/
    apiKey: unused
    webhookSecret: unused
workflows: {}
`,
  );
});
afterAll(async () => {
  await t?.close();
});

const members = (...args: string[]) => townhall(['members', ...args], store.env);

describe('townhall members', () => {
  it('suggests, merges, shows the member seen on three platforms, and unmerges', async () => {
    const suggested = await members('suggestions', '--min-confidence', '0.8', '--json');
    expect(suggested.stderr).toBe('');
    expect(JSON.parse(suggested.stdout)).toMatchObject({
      suggestions: [
        {
          keep: { id: adaId, platforms: ['discourse', 'slack'] },
          merge: { id: discordId, platforms: ['discord'] },
          confidence: 0.8,
          reasons: [{ kind: 'same_handle', detail: 'same handle "ada" on discord and slack' }],
        },
      ],
    });

    const merged = await members(
      'merge',
      'ada@example.com',
      'discord:9001',
      '--reason',
      'same handle, she confirmed',
      '--actor',
      'ops-test',
      '--json',
    );
    expect(merged).toMatchObject({ code: 0, stderr: '' });
    const { mergeId } = JSON.parse(merged.stdout) as { mergeId: string };

    const shown = await members('show', 'discord:9001', '--json', '--config', config);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    const view = JSON.parse(shown.stdout) as MemberDetails;
    expect(view.id).toBe(adaId);
    expect(view.platforms).toEqual(['discord', 'discourse', 'slack']);
    expect(view.identities.map((i) => [i.platform, i.handle, i.profileUrl])).toEqual([
      ['slack', 'ada', 'slack://user?team=T0TEAM&id=U0ADA'],
      ['discourse', 'ada_l', 'https://forum.example.com/u/ada_l'],
      ['discord', 'Ada', 'https://discord.com/users/9001'],
    ]);
    const day = 86_400_000;
    expect(Date.now() - Date.parse(view.firstSeenAt!)).toBeGreaterThan(119.9 * day);
    expect(Date.now() - Date.parse(view.lastActiveAt!)).toBeLessThan(1.1 * day);
    expect(view.activity).toEqual({
      total: 9,
      byType: { 'member.joined': 1, 'message.posted': 6, 'reaction.added': 2 },
      byPlatform: { slack: 4, discourse: 2, discord: 3 },
      last7Days: { 'message.posted': 3 },
      last30Days: { 'message.posted': 5 },
      last90Days: { 'message.posted': 6, 'reaction.added': 1 },
      byPlatformLast7Days: { slack: 1, discourse: 1, discord: 1 },
      byPlatformLast30Days: { slack: 2, discourse: 1, discord: 2 },
      byPlatformLast90Days: { slack: 3, discourse: 2, discord: 2 },
    });
    // Five posts in 30 days at 3 points each: a participant (5 and up), not a regular (25).
    expect(view.engagement).toMatchObject({ score30Days: 15, level: 'participant' });
    expect(view.milestones.map((m) => m.name)).toEqual(['first_post']);
    expect(view.crm).toEqual([
      { crm: 'crm-one', personId: 'person-1', syncedAt: expect.any(String) },
    ]);
    expect(view.merges).toEqual([
      expect.objectContaining({ id: mergeId, mergedMemberId: discordId, actor: 'ops-test' }),
    ]);
    expect(view).toMatchObject({ consent: [], journeys: [], tickets: [] });

    const human = await members('show', 'ADA@example.com', '--config', config);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Ada Lovelace <ada@example.com>/);
    expect(human.stdout).toContain('https://discord.com/users/9001');
    expect(human.stdout).toMatch(/^ {2}message\.posted\s+3\s+5\s+6\s+6$/m);
    expect(human.stdout).toMatch(/^ {2}discord\s+1\s+2\s+2\s+3$/m);
    expect(human.stdout).toContain('engagement   participant');

    const unmerged = await members('unmerge', mergeId, '--actor', 'ops-test', '--json');
    expect(unmerged).toMatchObject({ code: 0, stderr: '' });
    const apart = JSON.parse(
      (await members('show', 'discord:9001', '--json')).stdout,
    ) as MemberDetails;
    expect(apart).toMatchObject({ id: discordId, platforms: ['discord'] });
    expect(apart.activity.total).toBe(3);
    expect(apart.identities[0]!.profileUrl).toBe('https://discord.com/users/9001');
  }, 240_000);

  it('exits 1 with a clear message on a bad reference or a refused merge', async () => {
    expect(await members('show', 'nobody@example.com')).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'townhall: no member matches "nobody@example.com"\n',
    });
    const notRef = await members('show', 'just words');
    expect(notRef.code).toBe(1);
    expect(notRef.stderr).toMatch(/is not a member reference: write an email/);
    const unknown = await members(
      'merge',
      'discord:9001',
      'nobody@example.com',
      '--reason',
      'x',
      '--actor',
      'a',
    );
    expect(unknown).toMatchObject({
      code: 1,
      stderr: 'townhall: no member matches "nobody@example.com"\n',
    });
    const twice = await members(
      'merge',
      'slack:U0ADA',
      'discourse:42',
      '--reason',
      'x',
      '--actor',
      'a',
    );
    expect(twice).toMatchObject({ code: 1 });
    expect(twice.stderr).toMatch(/cannot merge member .* with itself/);
    const unknownMerge = await members(
      'unmerge',
      '00000000-0000-4000-8000-000000000000',
      '--actor',
      'a',
    );
    const noActor = await members('unmerge', '00000000-0000-4000-8000-000000000000', '--actor', '');
    expect(noActor).toMatchObject({
      code: 1,
      stderr: 'townhall: who is doing this? set $USER or pass --actor <name>\n',
    });
    expect(unknownMerge).toMatchObject({
      code: 1,
      stderr: 'townhall: no merge 00000000-0000-4000-8000-000000000000\n',
    });
  }, 120_000);
});
