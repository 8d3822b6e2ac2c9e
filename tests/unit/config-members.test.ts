import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { providersOf } from '../../config/capabilities.js';
import { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/load.js';
import { isStaff } from '../../config/members.js';
import type { Config } from '../../config/schema.js';
import { registry } from '../../connectors/index.js';
import { routingFor } from '../../runtime/routing.js';
import { scheduleRows } from '../../runtime/schedules.js';
import { crmSyncWorkflowId } from '../../workflows/crm-sync/types.js';
import { workflowRegistry } from '../../workflows/registry.js';

const email =
  'email: { from: a@b.co, smtp: { host: localhost, port: 25 }, unsubscribeSecret: sixteen-characters }';
const hubspot = 'hubspot: { accessToken: t }';

/** A config file: HubSpot (a CRM) and email (not one), plus the sections under test. */
const file = ({
  members = '',
  crmSync = '',
  top = '',
  connectors = [hubspot, email],
}: {
  members?: string;
  crmSync?: string;
  top?: string;
  connectors?: string[];
}) => `
${top}
connectors:
${connectors.map((c) => `  ${c}`).join('\n')}
${members ? `members:\n${members}` : ''}
workflows:
${crmSync ? `  crmSync: ${crmSync}` : '  {}'}
`;

/** Each problem as `townhall validate` prints it, `<path>: <message>`; fails if accepted. */
function problems(text: string): string[] {
  try {
    parseConfig(text, 'test.yaml', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

/** The Temporal Schedules a worker would make exist for this config. */
const schedulesFor = (config: Config) =>
  scheduleRows(config.workflows, workflowRegistry, {
    routing: routingFor(config, registry),
    providers: (capability) => providersOf(config, registry, capability),
  });

const unknownField = (name: string) =>
  `unknown field "${name}" (check the spelling; \`townhall config schema\` lists every field)`;

const SALESFORCE =
  'salesforce: { loginUrl: https://acme.my.salesforce.com, clientId: id, clientSecret: secret }';

describe('members: staff', () => {
  it('names the entry of a staff user id written without its platform, and the form to use', () => {
    const text = file({ members: "  staff: { users: ['slack:U0ADMIN', U0OTHER] }" });
    expect(problems(text)).toEqual([
      'members.staff.users[1]: write <platform>:<id>, e.g. <connector id>:U0ADMIN',
    ]);
  });

  it('names the entry of a staff role or group written without its platform', () => {
    const text = file({ members: "  staff: { roles: ['discord:Moderators', staff] }" });
    expect(problems(text)).toEqual([
      'members.staff.roles[1]: write <platform>:<id>, e.g. <connector id>:moderators',
    ]);
  });

  it('rejects a groups: list by its path: groups are listed under roles', () => {
    const text = file({ members: "  staff: { groups: ['discourse:staff'] }" });
    expect(problems(text)).toEqual([`members.staff.groups: ${unknownField('groups')}`]);
  });
});

describe('members: scores', () => {
  it('names the activity type of a negative or non-numeric score', () => {
    const text = file({ members: '  scores: { message.posted: -1, reaction.added: lots }' });
    expect(problems(text)).toEqual([
      'members.scores.message.posted: Too small: expected number to be >=0',
      'members.scores.reaction.added: expected number, got string "lots"',
    ]);
  });

  it('names a key that is not an event type and shows one that is', () => {
    const text = file({ members: '  scores: { posted: 3 }' });
    expect(problems(text)).toEqual([
      'members.scores.posted: not an event type (write one such as message.posted)',
    ]);
  });
});

describe('members: levels', () => {
  it('names the level whose minimum is not above the one before it', () => {
    const text = file({
      members:
        '  levels: [{ name: observer, min: 0 }, { name: regular, min: 25 }, { name: fan, min: 25 }]',
    });
    expect(problems(text)).toEqual([
      "members.levels[2].min: must be above regular's 25 (lowest level first)",
    ]);
  });

  it('names the first level when it does not start at 0', () => {
    const text = file({ members: '  levels: [{ name: participant, min: 5 }]' });
    expect(problems(text)).toEqual(['members.levels[0].min: the first level starts at 0']);
  });

  it('asks for at least one level', () => {
    expect(problems(file({ members: '  levels: []' }))).toEqual([
      'members.levels: list at least one level',
    ]);
  });

  it('names a badly written level name and a misspelt minimum', () => {
    const text = file({
      members: '  levels: [{ name: Observer, min: 0 }, { name: b, minScore: 5 }]',
    });
    expect(problems(text)).toEqual([
      'members.levels[0].name: use lower-case letters, digits, - and _',
      'members.levels[1].min: is required (expected number)',
      `members.levels[1].minScore: ${unknownField('minScore')}`,
    ]);
  });
});

describe('members: demoteAfter and milestones', () => {
  it('names a demoteAfter that is not a duration and says how to write one', () => {
    expect(problems(file({ members: '  demoteAfter: soon' }))).toEqual([
      'members.demoteAfter: "soon" is not a duration (use 30s, 4h, 2d)',
    ]);
  });

  it('names each milestone that is not a whole post count of 1 or more', () => {
    const text = file({ members: '  milestones: { posts: [0, 10, 2.5] }' });
    expect(problems(text)).toEqual([
      'members.milestones.posts[0]: Too small: expected number to be >=1',
      'members.milestones.posts[2]: expected int, got number 2.5',
    ]);
  });
});

describe('workflows.crmSync', () => {
  it('names an interval that is not a duration and says how to write one', () => {
    expect(problems(file({ crmSync: '{ interval: soon }' }))).toEqual([
      'workflows.crmSync.interval: "soon" is not a duration (use 30s, 4h, 2d)',
    ]);
    expect(problems(file({ crmSync: '{ interval: 0s }' }))).toEqual([
      'workflows.crmSync.interval: "0s" is not a duration (use 30s, 4h, 2d)',
    ]);
    // A bare number is not taken as seconds or minutes: the hint says how to write it.
    expect(problems(file({ crmSync: '{ interval: 5 }' }))).toEqual([
      'workflows.crmSync.interval: expected a duration (use 30s, 4h, 2d), got number 5',
    ]);
  });

  it('names each crms entry that is not a configured CRM, with the ones that are', () => {
    // salesforce is a CRM, but not configured here; email is configured, but not a CRM.
    const text = file({ crmSync: '{ crms: [hubspot, salesforce, email] }' });
    expect(problems(text)).toEqual([
      'workflows.crmSync.crms[1]: connectors.salesforce is not configured (add it under connectors:)',
      'workflows.crmSync.crms[2]: connectors.email does not provide a CRM (configured ones that do: hubspot)',
    ]);
  });

  it('refuses an empty crms list and a CRM listed twice', () => {
    expect(problems(file({ crmSync: '{ crms: [] }' }))).toEqual([
      'workflows.crmSync.crms: name at least one CRM connector, or leave crms out for the one providers.crm chooses',
    ]);
    expect(problems(file({ crmSync: '{ crms: [hubspot, hubspot] }' }))).toEqual([
      'workflows.crmSync.crms: a CRM is listed twice: list each once',
    ]);
  });

  it('without crms, needs one CRM configured, and providers.crm to choose among several', () => {
    expect(problems(file({ crmSync: '{}', connectors: [email] }))).toEqual([
      expect.stringMatching(/^workflows\.crmSync: needs a CRM \(capability crm\)/),
    ]);
    const two = file({ crmSync: '{}', connectors: [hubspot, SALESFORCE, email] });
    expect(problems(two)).toEqual([
      expect.stringMatching(/^workflows\.crmSync: needs .*providers\.crm/),
    ]);
    // Turned off, it needs nothing.
    expect(() =>
      parseConfig(file({ crmSync: '{ enabled: false }', connectors: [email] }), 'test.yaml', {}),
    ).not.toThrow();
  });
});

describe('providers and connector limits', () => {
  it('names providers.crm when it is not a CRM, and the connectors that are', () => {
    expect(problems(file({ top: 'providers: { crm: email }' }))).toEqual([
      'providers.crm: email does not provide a CRM (choose one of hubspot, salesforce)',
    ]);
  });

  it('names connectors.hubspot.requestLimit.max when it allows no requests at all', () => {
    const text = file({
      connectors: ['hubspot: { accessToken: t, requestLimit: { max: 0 } }', email],
    });
    expect(problems(text)).toEqual([
      'connectors.hubspot.requestLimit.max: Too small: expected number to be >=1',
    ]);
  });
});

describe('a valid members and crmSync config', () => {
  it('parses durations to milliseconds, fills in the defaults, and schedules the sync', () => {
    const config = parseConfig(
      file({
        members: `
  staff:
    users: ['slack:U0ADMIN']
    roles: ['discord:Moderators', 'discourse:staff']
  scores: { message.posted: 4, reaction.added: 0.5 }
  levels:
    - { name: lurker, min: 0 }
    - { name: active, min: 10 }
    - { name: core, min: 40 }
  demoteAfter: 3d
  milestones: { posts: [1, 50] }`,
        crmSync: '{ crms: [hubspot] }',
      }),
      'test.yaml',
      {},
    );

    const { members } = config;
    expect(members.demoteAfter).toBe(3 * 24 * 60 * 60 * 1000);
    expect(members.levels.map((level) => level.name)).toEqual(['lurker', 'active', 'core']);
    expect(members.milestones.posts).toEqual([1, 50]);
    // The scores given replace the defaults: an activity type left out scores nothing.
    expect(members.scores).toEqual({ 'message.posted': 4, 'reaction.added': 0.5 });
    // Staff by user id on one platform, by role or group on others.
    expect(isStaff(members.staff, 'slack', { userId: 'U0ADMIN' })).toBe(true);
    expect(isStaff(members.staff, 'slack', { userId: 'U0OTHER', roles: [] })).toBe(false);
    expect(isStaff(members.staff, 'discord', { userId: '42', roles: ['Moderators'] })).toBe(true);
    expect(isStaff(members.staff, 'discourse', { userId: '7', roles: ['staff'] })).toBe(true);
    expect(isStaff(members.staff, 'discourse', { userId: '7', roles: ['Moderators'] })).toBe(false);

    expect(config.workflows.crmSync).toEqual({
      enabled: true,
      crms: ['hubspot'],
      interval: 5 * 60 * 1000,
      properties: {},
    });
    expect(schedulesFor(config)).toEqual([
      expect.objectContaining({
        id: crmSyncWorkflowId('hubspot'),
        everyMs: 5 * 60 * 1000,
        // No batchSize: the workflow asks the CRM for the most it takes in one request.
        args: [expect.objectContaining({ crm: 'hubspot', batchSize: undefined })],
      }),
    ]);
  });

  it('syncs the CRM providers.crm chooses when crms is unset, at the interval given', () => {
    const config = parseConfig(
      file({ top: 'providers: { crm: hubspot }', crmSync: '{ interval: 90s, batchSize: 25 }' }),
      'test.yaml',
      {},
    );
    expect(schedulesFor(config)).toEqual([
      expect.objectContaining({
        id: crmSyncWorkflowId('hubspot'),
        everyMs: 90 * 1000,
        args: [expect.objectContaining({ crm: 'hubspot', batchSize: 25 })],
      }),
    ]);
  });
});

describe('townhall validate', () => {
  it('exits 1 naming the members and crmSync paths to fix', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-members-'));
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(
      broken,
      file({
        members: '  levels: [{ name: a, min: 0 }, { name: b, min: 0 }]',
        crmSync: '{ interval: soon, crms: [email] }',
      }),
    );
    const result = spawnSync(
      process.execPath,
      [path.resolve('bin/townhall.js'), 'validate', broken],
      {
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "members.levels[1].min: must be above a's 0 (lowest level first)",
    );
    expect(result.stderr).toContain(
      'workflows.crmSync.interval: "soon" is not a duration (use 30s, 4h, 2d)',
    );
  });
});
