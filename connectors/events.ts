import { z } from 'zod';

/** Platforms that produce community events. */
export const platform = z.enum(['slack', 'discord', 'discourse', 'reddit']);

const member = z.object({
  /** The platform's own user id (Slack U…, Discord snowflake, Discourse username id). */
  userId: z.string().min(1),
  /** Workspace, guild or site the user belongs to. */
  communityId: z.string().min(1),
  email: z.email().optional(),
  name: z.string().optional(),
  handle: z.string().optional(),
});

const base = {
  /** Globally unique id of the delivery's source event, e.g. `slack:Ev0123`. Duplicates share it. */
  eventId: z.string().min(1),
  platform,
  occurredAt: z.iso.datetime(),
};

/** The normalized event every inbound connector produces; the router only sees these. */
export const communityEvent = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('member.joined'), member }),
]);

export type CommunityEvent = z.infer<typeof communityEvent>;
export type CommunityMember = z.infer<typeof member>;
