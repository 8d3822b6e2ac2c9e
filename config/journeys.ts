import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CommunityEventType } from '../connectors/events.js';
import { COMMUNITY_EVENT_TYPES } from '../connectors/events.js';
import type { Step } from '../workflows/steps/index.js';
import { nestedLists } from '../workflows/steps/index.js';
import { stepsSchema } from '../workflows/steps/schema.js';
import type { SendWindow } from '../workflows/steps/send-window.js';
import { duration } from './duration.js';
import { sendWindowSchema } from './send-window.js';
import { EXIT_EVENTS } from './journey-events.js';
import type { ExitEvent } from './journey-events.js';

/**
 * `journeys:`: named journeys, each a trigger, an entry rule, the events that end a running one,
 * and its steps. One engine runs them all (workflows/journey/).
 */

export { ACTIVITY_EVENTS, EXIT_EVENTS, kindsOf } from './journey-events.js';
export type { ExitEvent } from './journey-events.js';

/** What starts a journey, once parsed. */
export type JourneyTrigger =
  | {
      kind: 'event';
      on: CommunityEventType;
      /** Only events from these platforms (connector ids); all when absent. */
      platforms?: string[] | undefined;
      channel?: string | undefined;
      /** Only messages whose text contains this, ignoring case. */
      text?: string | undefined;
    }
  | { kind: 'milestone'; milestone: string }
  | {
      kind: 'inactive';
      /** No activity for this long (from the member view's last-active). */
      ms: number;
      /** Only members at this engagement level or above (members.levels names it). */
      level?: string | undefined;
      /** How often the Temporal Schedule scans the member view. */
      scanEveryMs: number;
    };

/** once: one run per member, ever; once_per: at most one start per period; every_time: each. */
export type JourneyEntry =
  { kind: 'once' } | { kind: 'every_time' } | { kind: 'once_per'; ms: number };

export interface Journey {
  enabled: boolean;
  trigger: JourneyTrigger;
  entry: JourneyEntry;
  exitWhen: ExitEvent[];
  /** Messages to the member go out only inside it, in their time zone. */
  sendWindow?: SendWindow | undefined;
  /** Overrides `limits.on_cap` for this journey's messages. */
  onCap?: 'defer' | 'skip' | undefined;
  /** `mark_waits: false`: its runs do not mark their waits in TownhallStep (absent: they do). */
  markWaits?: false | undefined;
  steps: Step[];
}

const platforms = z
  .array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a connector id (a key under connectors:)'))
  .min(1)
  .optional()
  .describe('Only members from these platforms (connector ids); every platform when absent');

const eventType = z.enum(COMMUNITY_EVENT_TYPES, {
  error: () => `not an event type (use one of ${COMMUNITY_EVENT_TYPES.join(', ')})`,
});

const milestone = z
  .union([z.literal('first_post'), z.strictObject({ posts: z.number().int().min(1) })], {
    error: () => 'write first_post or { posts: N }',
  })
  .describe('A milestone of the member view: first_post, or { posts: N }');

/** The object form: exactly one of member.joined, event or milestone, with event filters. */
const triggerObject = z
  .strictObject(
    {
      'member.joined': z
        .strictObject({ platforms })
        .nullish()
        .describe('A member joins (any platform, or only those listed)'),
      event: eventType.optional().describe('A normalized event of the member, e.g. message.posted'),
      milestone: milestone.optional(),
      inactive: duration
        .optional()
        .describe('No activity for this long, among members who were active before, e.g. 30d'),
      level: z
        .string()
        .min(1)
        .optional()
        .describe('With inactive: only members at this engagement level or above'),
      scan_every: duration
        .optional()
        .describe('With inactive: how often the member view is scanned (default 1h)'),
      platforms,
      channel: z.string().min(1).optional().describe('With event: only events in this channel id'),
      text: z
        .string()
        .min(1)
        .optional()
        .describe('With event: only messages whose text contains this (case ignored)'),
    },
    {
      error: (issue) =>
        issue.code === 'invalid_type'
          ? 'write a trigger as member.joined, { member.joined: { platforms: [...] } }, { event: <type>, platforms?, channel?, text? }, { milestone: first_post | { posts: N } } or { inactive: <duration>, level?, scan_every? }'
          : undefined,
    },
  )
  .transform((raw, ctx): JourneyTrigger => {
    const kinds = (['member.joined', 'event', 'milestone', 'inactive'] as const).filter(
      (k) => k in raw,
    );
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `a trigger has exactly one of member.joined, event, milestone or inactive (${kinds.length === 0 ? 'this one has none' : `this one has ${kinds.join(' and ')}`})`,
      });
      return z.NEVER;
    }
    if (raw.inactive === undefined)
      for (const option of ['level', 'scan_every'] as const)
        if (raw[option] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [option],
            message: `${option} goes with an inactive trigger (write { inactive: <duration>, ${option}: ... })`,
          });
    if (raw.inactive !== undefined)
      return {
        kind: 'inactive',
        ms: raw.inactive,
        level: raw.level,
        scanEveryMs: raw.scan_every ?? 3_600_000,
      };
    if (raw.event === undefined) {
      for (const filter of ['platforms', 'channel', 'text'] as const)
        if (raw[filter] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [filter],
            message: `${filter} filters an event trigger (write { event: <type>, ${filter}: ... })`,
          });
    }
    if (raw.milestone !== undefined)
      return {
        kind: 'milestone',
        milestone:
          raw.milestone === 'first_post' || raw.milestone.posts === 1
            ? 'first_post'
            : `posts_${raw.milestone.posts}`,
      };
    if (raw.event !== undefined)
      return {
        kind: 'event',
        on: raw.event,
        platforms: raw.platforms,
        channel: raw.channel,
        text: raw.text,
      };
    return { kind: 'event', on: 'member.joined', platforms: raw['member.joined']?.platforms };
  });

/** `trigger: member.joined` is short for `trigger: { member.joined: {} }`. */
const trigger = z
  .preprocess(
    (value) => (value === 'member.joined' ? { 'member.joined': null } : value),
    triggerObject,
  )
  .describe(
    'What starts the journey: member.joined, { member.joined: { platforms } }, { event: <type>, platforms?, channel?, text? }, { milestone: first_post | { posts: N } } or { inactive: <duration>, level?, scan_every? }',
  );

const entry = z
  .union(
    [
      z.literal('once').transform((): JourneyEntry => ({ kind: 'once' })),
      z.literal('every_time').transform((): JourneyEntry => ({ kind: 'every_time' })),
      z
        .strictObject({ once_per: duration })
        .transform(({ once_per }): JourneyEntry => ({ kind: 'once_per', ms: once_per })),
    ],
    { error: () => 'write entry as once, every_time or { once_per: <duration> } (e.g. 30d)' },
  )
  .prefault('once')
  .describe(
    'once: a member goes through it once, ever; once_per: at most once a period; every_time',
  );

const journey = z
  .strictObject({
    enabled: z.boolean().default(true),
    trigger,
    entry,
    exit_when: z
      .array(
        z.enum(EXIT_EVENTS, {
          error: () => `not an exit event (use one of ${EXIT_EVENTS.join(', ')})`,
        }),
      )
      .default([])
      .describe('Events of the member that end a running journey at once, even during a wait'),
    send_window: sendWindowSchema
      .optional()
      .describe(
        "Days and hours messages to the member may go out, in their time zone: { days: [mon, …], hours: '09:00-17:00', timezone: <default zone> }",
      ),
    on_cap: z
      .enum(['defer', 'skip'], { error: () => 'write on_cap as defer or skip' })
      .optional()
      .describe("What this journey's capped messages do; limits.on_cap when absent"),
    mark_waits: z
      .boolean()
      .default(true)
      .describe(
        'Each run marks the step it waits at in the TownhallStep search attribute, so the Temporal UI lists parked runs by step; each mark is a billed Temporal action (a fifth of a wait-then-message run). false saves it; `townhall journeys` still says where runs are',
      ),
    steps: stepsSchema,
  })
  .transform(({ exit_when, send_window, on_cap, mark_waits, ...rest }): Journey => ({
    ...rest,
    exitWhen: [...new Set(exit_when)],
    ...(send_window ? { sendWindow: send_window } : {}),
    ...(on_cap ? { onCap: on_cap } : {}),
    // Only when off: a journey as it was keeps its hash (runs' memos compare against it).
    ...(mark_waits ? {} : { markWaits: false as const }),
  }));

export const journeysConfigSchema = z
  .record(
    z.string().regex(/^[a-z][a-z0-9-]*$/, 'name journeys with lower-case letters, digits and -'),
    journey,
    {
      // zod reports a bad key as "Invalid key in record"; say what a name is instead.
      error: (issue) =>
        issue.code === 'invalid_key'
          ? 'name journeys with lower-case letters, digits and - (it goes into workflow ids)'
          : undefined,
    },
  )
  .default({})
  .describe('Named journeys: a trigger, an entry rule, exits and steps');

export type JourneysConfig = z.output<typeof journeysConfigSchema>;

/**
 * What the journeys section cannot check alone: a milestone trigger names a milestone that
 * `members.milestones` defines, platform filters name configured connectors, and onboarding is
 * not written twice (in `workflows.onboarding` and as a journey that runs on member.joined).
 */
export function checkJourneys(
  config: {
    journeys: JourneysConfig;
    members: { milestones: { posts: number[] }; levels: readonly { name: string }[] };
    connectors: Record<string, unknown>;
    workflows: Record<string, unknown>;
  },
  ctx: z.RefinementCtx,
): void {
  const configured = Object.keys(config.connectors).sort();
  for (const [name, journey] of Object.entries(config.journeys)) {
    const at = ['journeys', name, 'trigger'];
    const trigger = journey.trigger;
    if (trigger.kind === 'milestone') {
      const posts = trigger.milestone === 'first_post' ? 1 : Number(trigger.milestone.slice(6));
      if (!config.members.milestones.posts.includes(posts))
        ctx.addIssue({
          code: 'custom',
          path: [...at, 'milestone'],
          message: `${posts} posts is not a milestone: add ${posts} to members.milestones.posts (now ${config.members.milestones.posts.join(', ')})`,
        });
    } else if (trigger.kind === 'inactive') {
      const levels = config.members.levels.map((level) => level.name);
      if (trigger.level !== undefined && !levels.includes(trigger.level))
        ctx.addIssue({
          code: 'custom',
          path: [...at, 'level'],
          message: `no engagement level is called ${trigger.level} (members.levels has ${levels.join(', ')})`,
        });
    } else
      for (const [index, platform] of (trigger.platforms ?? []).entries())
        if (!configured.includes(platform))
          ctx.addIssue({
            code: 'custom',
            path: [
              ...at,
              ...(trigger.on === 'member.joined' ? ['member.joined'] : []),
              'platforms',
              index,
            ],
            message: `connectors.${platform} is not configured (configured: ${configured.join(', ') || 'none'})`,
          });
    const levels = config.members.levels.map((level) => level.name);
    const milestones = config.members.milestones.posts.map((n) =>
      n === 1 ? 'first_post' : `posts_${n}`,
    );
    walkSteps(journey.steps, ['journeys', name, 'steps'], (step, where) => {
      if (step.type !== 'if') return;
      for (const level of step.when.level ?? [])
        if (!levels.includes(level))
          ctx.addIssue({
            code: 'custom',
            path: [...where, 'if', 'when', 'level'],
            message: `no engagement level is called ${level} (members.levels has ${levels.join(', ')})`,
          });
      if (step.when.milestone !== undefined && !milestones.includes(step.when.milestone))
        ctx.addIssue({
          code: 'custom',
          path: [...where, 'if', 'when', 'milestone'],
          message: `${step.when.milestone} is not a milestone (members.milestones makes ${milestones.join(', ')})`,
        });
    });
    const onboarding = config.workflows.onboarding as { enabled?: boolean } | undefined;
    if (
      onboarding?.enabled !== false &&
      onboarding !== undefined &&
      journey.enabled &&
      trigger.kind === 'event' &&
      trigger.on === 'member.joined' &&
      name === 'onboarding'
    )
      ctx.addIssue({
        code: 'custom',
        path: ['workflows', 'onboarding'],
        message:
          'onboarding is written twice: as workflows.onboarding and as journeys.onboarding (keep the journey, remove workflows.onboarding)',
      });
  }
}

/** Calls `visit` with every step of a list and of the lists inside its steps, with its path. */
function walkSteps(
  steps: readonly Step[],
  at: (string | number)[],
  visit: (step: Step, where: (string | number)[]) => void,
): void {
  steps.forEach((step, index) => {
    visit(step, [...at, index]);
    for (const nested of nestedLists(step))
      walkSteps(nested.steps, [...at, index, step.type, nested.key], visit);
  });
}

/** The level names at `level` or above, lowest first; every level when `level` is unset. */
export function levelsFrom(levels: readonly { name: string }[], level: string | undefined) {
  const names = levels.map((l) => l.name);
  return level === undefined ? names : names.slice(Math.max(0, names.indexOf(level)));
}

/** A short hash of a journey's definition, kept in each run's memo: what the run started with. */
export function journeyHash(definition: Journey): string {
  return createHash('sha256').update(JSON.stringify(definition)).digest('hex').slice(0, 16);
}

/** `townhall validate`'s advice for a config that still writes onboarding the old way. */
export function journeyNotices(config: { workflows: Record<string, unknown> }): string[] {
  if (config.workflows.onboarding === undefined) return [];
  return [
    'workflows.onboarding still works; to move it, write it as journeys.onboarding with `trigger: member.joined` and `entry: once`, the same steps, and remove workflows.onboarding (runs already going finish as they started).',
  ];
}
