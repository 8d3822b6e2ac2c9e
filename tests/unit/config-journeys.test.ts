import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/load.js';

const email =
  'email: { from: a@b.co, smtp: { host: localhost, port: 25 }, unsubscribeSecret: sixteen-characters }';
const slack = 'slack: { signingSecret: s, botToken: xoxb-t }';

const file = (journeys: string, extra = '') => `
connectors:
  ${email}
  ${slack}
${extra}
journeys:
${journeys}
`;

const parse = (text: string) => parseConfig(text, 'test.yaml', {});

/** Each problem as `townhall validate` prints it, `<path>: <message>`; fails if accepted. */
function problems(text: string): string[] {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

const drip = `
  drip:
    trigger: { event: message.posted, platforms: [slack], channel: C1, text: Help }
    entry: { once_per: 30d }
    exit_when: [message.posted, activity, message.posted]
    steps:
      - email.send: { template: t, subject: s }
      - wait: 2d
      - dm.send: { text: hello there }
`;

describe('journeys: config', () => {
  it('parses each trigger form, entry rule and exit list into what the engine runs', () => {
    const config = parse(
      file(`${drip}
  welcome:
    trigger: member.joined
    steps: [{ wait: 1s }]
  slack-only:
    trigger: { member.joined: { platforms: [slack] } }
    entry: every_time
    steps: [{ wait: 1s }]
  first:
    trigger: { milestone: first_post }
    steps: [{ wait: 1s }]
  tenth:
    enabled: false
    trigger: { milestone: { posts: 10 } }
    steps: [{ wait: 1s }]
  quiet:
    trigger: { inactive: 30d, level: regular, scan_every: 15m }
    steps: [{ wait: 1s }]
  quiet-any:
    trigger: { inactive: 60d }
    steps: [{ wait: 1s }]
`),
    );
    expect(config.journeys.quiet!.trigger).toEqual({
      kind: 'inactive',
      ms: 30 * 86_400_000,
      level: 'regular',
      scanEveryMs: 15 * 60_000,
    });
    expect(config.journeys['quiet-any']!.trigger).toEqual({
      kind: 'inactive',
      ms: 60 * 86_400_000,
      level: undefined,
      scanEveryMs: 3_600_000,
    });
    expect(config.journeys.drip).toEqual({
      enabled: true,
      trigger: {
        kind: 'event',
        on: 'message.posted',
        platforms: ['slack'],
        channel: 'C1',
        text: 'Help',
      },
      entry: { kind: 'once_per', ms: 30 * 86_400_000 },
      exitWhen: ['message.posted', 'activity'],
      steps: [
        { type: 'email.send', template: 't', subject: 's' },
        { type: 'wait', ms: 2 * 86_400_000 },
        { type: 'dm.send', text: 'hello there', subject: 'Welcome to the community' },
      ],
    });
    expect(config.journeys.welcome).toMatchObject({
      trigger: { kind: 'event', on: 'member.joined' },
      entry: { kind: 'once' },
      exitWhen: [],
    });
    expect(config.journeys['slack-only']).toMatchObject({
      trigger: { kind: 'event', on: 'member.joined', platforms: ['slack'] },
      entry: { kind: 'every_time' },
    });
    expect(config.journeys.first!.trigger).toEqual({ kind: 'milestone', milestone: 'first_post' });
    expect(config.journeys.tenth).toMatchObject({
      enabled: false,
      trigger: { kind: 'milestone', milestone: 'posts_10' },
    });
  });

  it('turns a journey’s wait marks off with mark_waits: false, leaving the others’ hashes as they were', () => {
    const journeys = (extra: string) =>
      parse(
        file(`
  drip:
    trigger: member.joined
${extra}    steps:
      - wait: 1d
`),
      ).journeys.drip!;
    expect(journeys('').markWaits).toBeUndefined();
    expect(journeys('    mark_waits: true\n')).toEqual(journeys(''));
    expect(journeys('    mark_waits: false\n').markWaits).toBe(false);
    expect(
      problems(
        file(
          `  drip:\n    trigger: member.joined\n    mark_waits: no-thanks\n    steps: [{ wait: 1d }]\n`,
        ),
      ),
    ).toEqual([expect.stringMatching(/^journeys\.drip\.mark_waits: /)]);
  });

  it('is optional: a config without journeys has none', () => {
    expect(parse(file('  {}')).journeys).toEqual({});
  });

  it('names each bad field with its path and the fix', () => {
    const found = problems(
      file(`
  Bad_Name:
    trigger: member.joined
    steps: [{ wait: 1s }]
  drip:
    trigger: { event: message.sent }
    entry: { once_per: soon }
    exit_when: [message.posted, replied]
    steps: [{ wait: 1s }]
  both:
    trigger: { member.joined: {}, milestone: first_post }
    steps: [{ wait: 1s }]
  filtered:
    trigger: { milestone: first_post, text: hello }
    steps: [{ wait: 1s }]
  scanned:
    trigger: { member.joined: {}, scan_every: 1h }
    steps: [{ wait: 1s }]
  nothing:
    trigger: member.joined
    steps: []
`),
    );
    expect(found).toEqual([
      'journeys.Bad_Name: name journeys with lower-case letters, digits and - (it goes into workflow ids)',
      expect.stringMatching(
        /^journeys\.drip\.trigger\.event: not an event type \(use one of member\.joined, /,
      ),
      expect.stringMatching(/^journeys\.drip\.entry: write entry as once, every_time/),
      'journeys.drip.exit_when[1]: not an exit event (use one of message.posted, reaction.added, command.invoked, member.left, unsubscribed, ticket.created, ticket.solved, activity)',
      'journeys.both.trigger: a trigger has exactly one of member.joined, event, milestone or inactive (this one has member.joined and milestone)',
      'journeys.filtered.trigger.text: text filters an event trigger (write { event: <type>, text: ... })',
      'journeys.scanned.trigger.scan_every: scan_every goes with an inactive trigger (write { inactive: <duration>, scan_every: ... })',
      'journeys.nothing.steps: list at least one step',
    ]);
  });

  it('parses send windows and caps, and names an unparsable window or cap with its path', () => {
    const config = parse(
      file(
        `
  drip:
    trigger: member.joined
    send_window: { days: [mon, fri], hours: '09:00-17:30', timezone: Asia/Tokyo }
    on_cap: skip
    steps: [{ email.send: { template: t, subject: s } }]
  anytime:
    trigger: member.joined
    send_window: { hours: '08:00:30-20:00' }
    steps: [{ wait: 1s }]
`,
        'limits: { email: 3 per 7d, dm: 1 per 12h }',
      ),
    );
    expect(config.journeys.drip).toMatchObject({
      sendWindow: { days: [1, 5], from: 9 * 3600, to: 17 * 3600 + 1800, timezone: 'Asia/Tokyo' },
      onCap: 'skip',
    });
    expect(config.journeys.anytime?.sendWindow).toEqual({
      days: [0, 1, 2, 3, 4, 5, 6],
      from: 8 * 3600 + 30,
      to: 20 * 3600,
      timezone: 'UTC',
    });
    expect(config.limits).toEqual({
      onCap: 'defer',
      email: { limit: 3, periodMs: 7 * 86_400_000, text: '3 per 7d' },
      dm: { limit: 1, periodMs: 12 * 3_600_000, text: '1 per 12h' },
    });

    expect(
      problems(
        file(
          `
  late:
    trigger: member.joined
    send_window: { days: [monday], hours: '17:00-09:00', timezone: Mars/Olympus }
    steps: [{ wait: 1s }]
  vague:
    trigger: member.joined
    send_window: { hours: 'mornings' }
    on_cap: later
    steps: [{ wait: 1s }]
`,
          'limits: { email: three a week, on_cap: wait }',
        ),
      ),
    ).toEqual([
      'journeys.late.send_window.days[0]: not a weekday (use sun, mon, tue, wed, thu, fri, sat)',
      'journeys.late.send_window.timezone: "Mars/Olympus" is not an IANA time zone (write e.g. Europe/Paris, America/New_York, UTC)',
      "journeys.vague.send_window.hours: \"mornings\" is not a window: write hours as 'HH:MM-HH:MM' within one day, e.g. '09:00-17:30', opening before closing",
      'journeys.vague.on_cap: write on_cap as defer or skip',
      "limits.email: \"three a week\" is not a cap: write a cap as '<count> per <duration>', e.g. '3 per 7d'",
      'limits.on_cap: write on_cap as defer or skip',
    ]);
    expect(
      problems(
        file(`
  late:
    trigger: member.joined
    send_window: { hours: '17:00-09:00' }
    steps: [{ wait: 1s }]
`),
      ),
    ).toEqual([
      "journeys.late.send_window.hours: \"17:00-09:00\" is not a window: write hours as 'HH:MM-HH:MM' within one day, e.g. '09:00-17:30', opening before closing",
    ]);
  });

  it('checks milestones and platforms against the rest of the config', () => {
    const found = problems(
      file(`
  tenth:
    trigger: { milestone: { posts: 7 } }
    steps: [{ dm.send: { text: hi there } }]
  elsewhere:
    trigger: { member.joined: { platforms: [discord] } }
    steps: [{ wait: 1s }]
  asked:
    trigger: { event: message.posted, platforms: [slack, discourse] }
    steps: [{ wait: 1s }]
  quiet:
    trigger: { inactive: 30d, level: superstar }
    steps: [{ wait: 1s }]
`),
    );
    expect(found).toEqual([
      'journeys.tenth.trigger.milestone: 7 posts is not a milestone: add 7 to members.milestones.posts (now 1, 10, 100)',
      'journeys.elsewhere.trigger.member.joined.platforms[0]: connectors.discord is not configured (configured: email, slack)',
      'journeys.asked.trigger.platforms[1]: connectors.discourse is not configured (configured: email, slack)',
      'journeys.quiet.trigger.level: no engagement level is called superstar (members.levels has observer, participant, regular, champion)',
    ]);
  });

  it('parses wait_until with its paths, and names a wait_until without one or waiting for no event', () => {
    const config = parse(
      file(`
  nudge:
    trigger: member.joined
    steps:
      - wait_until:
          event: message.posted
          timeout: 3d
          then: [{ dm.send: { text: thanks for posting } }]
          else: [{ wait: 1d }, { email.send: { template: t, subject: s } }]
`),
    );
    expect(config.journeys.nudge!.steps).toEqual([
      {
        type: 'wait_until',
        event: 'message.posted',
        timeoutMs: 3 * 86_400_000,
        then: [
          { type: 'dm.send', text: 'thanks for posting', subject: 'Welcome to the community' },
        ],
        else: [
          { type: 'wait', ms: 86_400_000 },
          { type: 'email.send', template: 't', subject: 's' },
        ],
      },
    ]);
    expect(
      problems(
        file(`
  nudge:
    trigger: member.joined
    steps:
      - wait_until: { event: message.posted, timeout: 3d }
      - wait_until: { event: replied, timeout: 3d, else: [{ wait: 1s }] }
      - wait_until: { event: activity, timeout: 3d, then: [{ wait: soon }] }
`),
      ),
    ).toEqual([
      'journeys.nudge.steps[0].wait_until: a wait_until needs then, else or both (steps for when the event comes, for when it does not)',
      'journeys.nudge.steps[1].wait_until.event: not an event a journey hears (use one of message.posted, reaction.added, command.invoked, member.left, unsubscribed, ticket.created, ticket.solved, activity)',
      'journeys.nudge.steps[2].wait_until.then[0].wait: "soon" is not a duration (use 30s, 4h, 2d)',
    ]);
  });

  it('parses if with conditions on member facts, and names an unknown fact, level or milestone', () => {
    const config = parse(
      file(`
  branch:
    trigger: member.joined
    steps:
      - if:
          when: { level: [regular, champion], has_email: true, posts: { gte: 10 } }
          then: [{ wait: 1s }]
`),
    );
    expect(config.journeys.branch!.steps).toEqual([
      {
        type: 'if',
        when: { level: ['regular', 'champion'], has_email: true, posts: { gte: 10 } },
        then: [{ type: 'wait', ms: 1_000 }],
        else: [],
      },
    ]);
    expect(
      problems(
        file(`
  branch:
    trigger: member.joined
    steps:
      - if: { when: { karma: 3 }, then: [{ wait: 1s }] }
      - if: { when: {}, else: [{ wait: 1s }] }
      - if: { when: { has_email: true } }
`),
      ),
    ).toEqual([
      'journeys.branch.steps[0].if.when.karma: not a member fact (use platform, level, has_email, email_consent, milestone, posts)',
      'journeys.branch.steps[1].if.when: name at least one fact (platform, level, has_email, email_consent, milestone, posts)',
      'journeys.branch.steps[2].if: an if needs then, else or both',
    ]);
    expect(
      problems(
        file(`
  branch:
    trigger: member.joined
    steps:
      - wait_until:
          event: activity
          timeout: 1d
          then:
            - if: { when: { level: superstar, milestone: posts_7 }, then: [{ wait: 1s }] }
`),
      ),
    ).toEqual([
      'journeys.branch.steps[0].wait_until.then[0].if.when.level: no engagement level is called superstar (members.levels has observer, participant, regular, champion)',
      'journeys.branch.steps[0].wait_until.then[0].if.when.milestone: posts_7 is not a milestone (members.milestones makes first_post, posts_10, posts_100)',
    ]);
  });

  it('checks that every step of a journey has a connector to serve it', () => {
    const found = problems(`
connectors:
  ${slack}
journeys:
  welcome:
    trigger: member.joined
    steps:
      - email.send: { template: t, subject: s }
      - wait_until:
          event: message.posted
          timeout: 1d
          else: [{ email.send: { template: t, subject: s } }]
`);
    expect(found).toEqual([
      expect.stringMatching(/^journeys\.welcome\.steps\[0\]\.email\.send: needs /),
      expect.stringMatching(
        /^journeys\.welcome\.steps\[1\]\.wait_until\.else\[0\]\.email\.send: needs /,
      ),
    ]);
  });

  it('refuses onboarding written twice, and `validate` says how to move the old section', () => {
    const onboarding = `workflows:\n  onboarding: { steps: [{ wait: 1s }] }`;
    expect(
      problems(file(`  onboarding: { trigger: member.joined, steps: [{ wait: 1s }] }`, onboarding)),
    ).toEqual([
      'workflows.onboarding: onboarding is written twice: as workflows.onboarding and as journeys.onboarding (keep the journey, remove workflows.onboarding)',
    ]);

    const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-journeys-'));
    const config = path.join(dir, 'townhall.config.yaml');
    writeFileSync(config, file('  {}', onboarding));
    const result = spawnSync(process.execPath, ['bin/townhall.js', 'validate', config], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      'OK. 1 workflow(s) enabled: onboarding (1 steps); journeys: none',
    );
    expect(result.stderr).toContain(
      'note: workflows.onboarding still works; to move it, write it as journeys.onboarding with `trigger: member.joined`',
    );
  });

  it('`validate` exits 1 naming each bad journey field with its path', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-journeys-'));
    const config = path.join(dir, 'townhall.config.yaml');
    writeFileSync(
      config,
      file(`
  drip:
    trigger: member.joined
    exit_when: [message.posted, replied]
    send_window: { hours: 'at nine' }
    steps:
      - wait_until: { event: message.posted, timeout: 3d }
      - if: { when: { mood: happy }, then: [{ wait: 1s }] }
`),
    );
    const result = spawnSync(process.execPath, ['bin/townhall.js', 'validate', config], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    for (const expected of [
      'journeys.drip.exit_when[1]: not an exit event',
      'journeys.drip.send_window.hours: "at nine" is not a window',
      'journeys.drip.steps[0].wait_until: a wait_until needs then, else or both',
      'journeys.drip.steps[1].if.when.mood: not a member fact',
    ])
      expect(result.stderr).toContain(expected);
  });
});
