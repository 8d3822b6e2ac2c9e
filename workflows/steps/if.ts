import type { MemberFacts } from '../../store/member-facts.js';
import type { Step } from './index.js';
import { defineStep } from './step.js';

/** Conditions on member facts; every one given must hold. */
export interface Conditions {
  platform?: string | undefined;
  level?: string[] | undefined;
  has_email?: boolean | undefined;
  email_consent?: boolean | undefined;
  milestone?: string | undefined;
  posts?: { gte?: number | undefined; lt?: number | undefined } | undefined;
}

export interface IfStep {
  type: 'if';
  when: Conditions;
  then: Step[];
  else: Step[];
}

const FACTS = ['platform', 'level', 'has_email', 'email_consent', 'milestone', 'posts'] as const;

/** Whether the member's facts meet every condition: pure, so the workflow decides the same way on replay. */
export function meets(facts: MemberFacts, when: Conditions): boolean {
  if (when.platform !== undefined && !facts.platforms.includes(when.platform)) return false;
  if (when.level !== undefined && (facts.level === null || !when.level.includes(facts.level)))
    return false;
  if (when.has_email !== undefined && facts.hasEmail !== when.has_email) return false;
  if (when.email_consent !== undefined && facts.emailConsent !== when.email_consent) return false;
  if (when.milestone !== undefined && !facts.milestones.includes(when.milestone)) return false;
  if (when.posts?.gte !== undefined && facts.posts < when.posts.gte) return false;
  if (when.posts?.lt !== undefined && facts.posts >= when.posts.lt) return false;
  return true;
}

/**
 * `- if: { when, then, else }`: reads the member's facts (one activity, recorded in history) and
 * runs `then` when every condition holds, `else` when one does not.
 */
export const ifStep = defineStep({
  type: 'if',
  schema: ({ z, nested }) =>
    z
      .strictObject({
        when: z
          .strictObject(
            {
              platform: z.string().min(1).optional().describe('Has an identity on this platform'),
              level: z
                .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
                .transform((level) => (typeof level === 'string' ? [level] : level))
                .optional()
                .describe('Is at this engagement level (or one of these)'),
              has_email: z.boolean().optional(),
              email_consent: z
                .boolean()
                .optional()
                .describe('false once the member unsubscribed from email'),
              milestone: z
                .string()
                .regex(/^(first_post|posts_\d+)$/, 'a milestone: first_post or posts_N')
                .optional()
                .describe('Has reached this milestone'),
              posts: z
                .strictObject({
                  gte: z.number().int().min(0).optional(),
                  lt: z.number().int().min(0).optional(),
                })
                .optional()
                .describe('Messages posted in total: { gte: N } and/or { lt: N }'),
            },
            {
              error: (issue) =>
                issue.code === 'unrecognized_keys'
                  ? `not a member fact (use ${FACTS.join(', ')})`
                  : undefined,
            },
          )
          .refine((when) => Object.values(when).some((value) => value !== undefined), {
            message: `name at least one fact (${FACTS.join(', ')})`,
            // An unknown fact is reported as such, not also as "no fact".
            when: (payload) => payload.issues.length === 0,
          })
          .describe('Conditions on the member; every one given must hold'),
        then: nested.optional().describe('Steps when every condition holds'),
        else: nested.optional().describe('Steps when one does not'),
      })
      .refine((value) => value.then !== undefined || value.else !== undefined, {
        message: 'an if needs then, else or both',
      }),
  parse: (value): IfStep => ({
    type: 'if',
    when: value.when,
    then: value.then ?? [],
    else: value.else ?? [],
  }),
  run: async (step, context) => {
    const facts = await context.activities(undefined).memberFacts({ memberId: context.memberId });
    const holds = meets(facts, step.when);
    const branch = holds ? 'then' : 'else';
    await context.runSteps(step[branch], `${context.path}.${branch}`);
    return holds ? 'conditions held: then' : 'conditions not held: else';
  },
});
