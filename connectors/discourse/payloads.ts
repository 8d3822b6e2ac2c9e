import { z } from 'zod';

/**
 * Discourse webhook bodies: `{ "<event type>": <serialized record> }`, built by
 * Jobs::EmitWebHookEvent with the WebHook*Serializer classes. Only what townhall reads is
 * declared; everything else passes through (looseObject), as Discourse adds fields freely.
 */

/** Positive ids are people; system (-1) and bots such as discobot (-2) are negative. */
const userId = z.number().int();

/**
 * What a user's standing rides along as: `admin` and `moderator` (UserCardSerializer, and
 * PostSerializer for a post's author, which adds `staff`), `primary_group_name` (both), and the
 * `groups` a user object may list (UserSerializer, by name). All optional, and read as unknown
 * when malformed: standing is a detail that must not cost the event it rides on.
 */
const standing = {
  admin: z.boolean().nullish().catch(undefined),
  moderator: z.boolean().nullish().catch(undefined),
  staff: z.boolean().nullish().catch(undefined),
  primary_group_name: z.string().nullish().catch(undefined),
  groups: z
    .array(z.looseObject({ name: z.string() }))
    .nullish()
    .catch(undefined),
};
export type DiscourseStanding = {
  [K in keyof typeof standing]?: z.infer<(typeof standing)[K]>;
};

/** WebHookUserSerializer. `email` is present because the webhook is serialized as an admin. */
export const discourseUser = z.looseObject({
  id: userId,
  username: z.string().min(1),
  name: z.string().nullish(),
  email: z.string().nullish(),
  /** When the account was made; read as unknown when it is not a time. */
  created_at: z
    .string()
    .refine((time) => !Number.isNaN(Date.parse(time)))
    .optional()
    .catch(undefined),
  /**
   * The user's id at the DiscourseConnect (SSO) provider: present (the webhook is serialized as
   * an admin) only for users who came through SSO, whose provider vouches for the address.
   */
  external_id: z.string().nullish().catch(undefined),
  ...standing,
});

/** WebHookPostSerializer. `post_url` is site-relative, e.g. /t/welcome/10/1. */
export const discoursePost = z.looseObject({
  id: z.number().int(),
  topic_id: z.number().int(),
  post_number: z.number().int().min(1),
  post_type: z.number().int().optional(),
  user_id: userId,
  username: z.string().min(1),
  name: z.string().nullish(),
  created_at: z.iso.datetime({ offset: true }),
  raw: z.string().optional(),
  cooked: z.string(),
  category_id: z.number().int().nullish(),
  topic_archetype: z.string().optional(),
  post_url: z.string().optional(),
  /** The author's: admin, moderator, staff and primary_group_name (PostSerializer). */
  ...standing,
});

export const discourseTopic = z.looseObject({ id: z.number().int() });

export const userBody = z.looseObject({ user: discourseUser });
export const postBody = z.looseObject({ post: discoursePost });
/** WebHookLikeSerializer: the post liked and who liked it (BasicUserSerializer). */
export const likeBody = z.looseObject({
  like: z.looseObject({
    post: discoursePost,
    user: z.looseObject({ id: userId, username: z.string().min(1), name: z.string().nullish() }),
  }),
});
export const topicBody = z.looseObject({ topic: discourseTopic });
export const pingBody = z.looseObject({ ping: z.string() });

/** Post types (Post.types): small actions ("closed this topic") and whispers are not messages. */
export const POST_TYPE = { regular: 1, moderatorAction: 2, smallAction: 3, whisper: 4 } as const;
