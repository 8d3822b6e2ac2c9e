import { z } from 'zod';
import { duration } from './duration.js';

/** Activity scores per event type: the Orbit-style weights an engagement level is made of. */
export const DEFAULT_SCORES = {
  'message.posted': 3,
  'reaction.added': 1,
  'command.invoked': 2,
  'member.joined': 1,
} as const;

/** Lowest first: a member is at the highest level whose minimum their 30-day score reaches. */
export const DEFAULT_LEVELS = [
  { name: 'observer', min: 0 },
  { name: 'participant', min: 5 },
  { name: 'regular', min: 25 },
  { name: 'champion', min: 75 },
] as const;

const platformRef = (example: string) =>
  z.string().regex(/^[a-z][a-z0-9-]*:.+$/, `write <platform>:<id>, e.g. ${example}`);

const level = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'use lower-case letters, digits, - and _'),
  min: z.number().min(0).describe('The 30-day activity score that reaches this level'),
});

/** `members:`: who counts as staff, how activity is scored, levels and milestones. */
export const membersConfigSchema = z
  .strictObject({
    staff: z
      .strictObject({
        users: z
          .array(platformRef('<connector id>:U0ADMIN'))
          .default([])
          .describe('Staff by platform user id: <platform>:<user id>'),
        roles: z
          .array(platformRef('<connector id>:moderators'))
          .default([])
          .describe('Staff by role or group, as the platform names it: <platform>:<role>'),
      })
      .prefault({})
      .describe('Staff activity is recorded, but left out of roll-ups, levels and milestones'),
    scores: z
      .record(
        z.string().regex(/^[a-z]+\.[a-z_]+$/, 'an event type, e.g. message.posted'),
        z.number().min(0),
        {
          // zod reports a bad key as "Invalid key in record"; say what a key is instead.
          error: (issue) =>
            issue.code === 'invalid_key'
              ? 'not an event type (write one such as message.posted)'
              : undefined,
        },
      )
      .default({ ...DEFAULT_SCORES })
      .describe('Points per activity type, summed over 30 days into the engagement score'),
    levels: z
      .array(level)
      .min(1, 'list at least one level')
      .default(DEFAULT_LEVELS.map((l) => ({ ...l })))
      .superRefine((levels, ctx) => {
        if (levels[0] && levels[0].min !== 0)
          ctx.addIssue({
            code: 'custom',
            path: [0, 'min'],
            message: 'the first level starts at 0',
          });
        levels.forEach((entry, index) => {
          const before = levels[index - 1];
          if (before && entry.min <= before.min)
            ctx.addIssue({
              code: 'custom',
              path: [index, 'min'],
              message: `must be above ${before.name}'s ${before.min} (lowest level first)`,
            });
        });
      })
      .describe('Engagement levels, lowest first'),
    demoteAfter: duration
      .prefault('14d')
      .describe('How long a score must stay below a level before the member drops from it'),
    milestones: z
      .strictObject({
        posts: z
          .array(z.number().int().min(1))
          .default([1, 10, 100])
          .describe('Post counts that are milestones: 1 is first_post, N is posts_N'),
      })
      .prefault({}),
  })
  .prefault({});

export type MembersConfig = z.output<typeof membersConfigSchema>;

/**
 * Whether `members.staff` names this platform identity, by user id or by a role it has;
 * undefined when the event does not say (it carries no roles): the identity keeps what an
 * earlier event established.
 */
export function isStaff(
  staff: MembersConfig['staff'],
  platform: string,
  member: { userId: string; roles?: readonly string[] | undefined },
): boolean | undefined {
  if (staff.users.includes(`${platform}:${member.userId}`)) return true;
  if (member.roles === undefined) return undefined;
  return member.roles.some((role) => staff.roles.includes(`${platform}:${role}`));
}

/** The defaults, for code that runs without a config file (tests, tools). */
export const DEFAULT_MEMBERS_CONFIG: MembersConfig = membersConfigSchema.parse(undefined);
