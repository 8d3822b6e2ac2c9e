import { z } from 'zod';
import type { AnyConnector } from '../connectors/descriptor.js';
import type { ProviderConfig } from './capabilities.js';
import { providersOf } from './capabilities.js';
import { duration } from './duration.js';

/**
 * `handoff:`: which community threads become help-desk tickets. Each rule names what triggers it,
 * where (a platform, channels), and the help desk its tickets go to; a thread has one ticket
 * whichever rules fire on it, made by the first.
 */

const connectorId = z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a connector id');

const common = {
  name: z
    .string()
    .min(1)
    .optional()
    .describe('How logs and tickets name the rule; defaults to its trigger and platform'),
  enabled: z.boolean().default(true),
  platform: connectorId
    .optional()
    .describe('The community platform it listens on (a connector id); unset: every one'),
  helpdesk: connectorId.describe('The help desk its tickets go to (a connector id)'),
  channels: z
    .array(z.string().min(1))
    .optional()
    .describe(
      'Channel ids it listens in, as the platform names them (a channel, a forum, a category); unset: everywhere',
    ),
};

const patternField = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source, 'iu');
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: `not a regular expression: ${(error as Error).message} (write it as JavaScript's RegExp reads it, without slashes)`,
    });
  }
});

export const handoffRule = z.discriminatedUnion('on', [
  z.strictObject({
    ...common,
    on: z.literal('reaction'),
    emoji: z
      .array(z.string().min(1))
      .default(['ticket', '🎫'])
      .describe('Reactions that ask for a ticket, as the platform names them (ticket, 🎫)'),
    staff_only: z.boolean().default(false).describe('Only reactions by staff count'),
  }),
  z.strictObject({
    ...common,
    on: z.literal('command'),
    command: z.string().min(1).default('ticket').describe('The slash command, without its slash'),
    mention: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Where a platform has no slash commands: a post that @mentions this username (or holds #this tag) asks for a ticket',
      ),
  }),
  z.strictObject({
    ...common,
    on: z.literal('keyword'),
    pattern: patternField.describe(
      'A regular expression (case-insensitive) a message must match, e.g. "refund|billing"',
    ),
  }),
  z.strictObject({
    ...common,
    on: z.literal('unanswered'),
    after: duration.describe(
      'How long a new thread may wait for a staff reply before it becomes a ticket (e.g. 4h)',
    ),
  }),
]);

export const handoffConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    rules: z.array(handoffRule).default([]),
    tags: z.array(z.string().min(1)).default(['community']).describe('Tags every ticket gets'),
    transcript_limit: z
      .number()
      .int()
      .min(1)
      .max(500)
      .default(50)
      .describe('The most thread messages a ticket quotes (the newest kept)'),
    solved_reaction: z
      .string()
      .min(1)
      .nullable()
      .default('white_check_mark')
      .describe('The reaction left on the thread when its ticket is solved; null for none'),
    reopen_on_reply: z
      .boolean()
      .default(true)
      .describe("A member's reply in the thread after the ticket is solved reopens it"),
    quiet_after: duration
      .prefault('2d')
      .describe(
        'The run ends once the ticket is solved or closed and the thread is quiet this long',
      ),
  })
  .optional()
  .describe('Support handoff: community threads that become help-desk tickets');

export type HandoffConfig = NonNullable<z.output<typeof handoffConfigSchema>>;
export type HandoffRule = HandoffConfig['rules'][number];
export type HandoffTrigger = HandoffRule['on'];

/** A rule's name in logs, tickets and answers. */
export const ruleName = (rule: HandoffRule): string =>
  rule.name ?? `${rule.on}${rule.platform ? ` on ${rule.platform}` : ''}`;

/**
 * What the schema cannot see alone: each rule's help desk is a configured connector that provides
 * one, and its platform one that can read threads and reply in them.
 */
export function checkHandoff(
  config: ProviderConfig & { handoff?: HandoffConfig | undefined },
  registry: readonly AnyConnector[],
  ctx: z.RefinementCtx,
): void {
  const desks = providersOf(config, registry, 'helpdesk');
  const posters = providersOf(config, registry, 'threadPoster');
  const readers = providersOf(config, registry, 'threadReader');
  config.handoff?.rules.forEach((rule, index) => {
    const at = ['handoff', 'rules', index];
    if (!desks.includes(rule.helpdesk))
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'helpdesk'],
        message: `connectors.${rule.helpdesk} is not a configured help desk (${desks.length > 0 ? `use one of ${desks.join(', ')}` : 'configure one under connectors: first'})`,
      });
    if (rule.platform === undefined) return;
    if (!posters.includes(rule.platform) || !readers.includes(rule.platform))
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'platform'],
        message: `connectors.${rule.platform} cannot read and reply in threads here (these can: ${posters.filter((id) => readers.includes(id)).join(', ') || 'none configured'})`,
      });
  });
}
