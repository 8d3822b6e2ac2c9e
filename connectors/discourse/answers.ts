import { z } from 'zod';
import { ConnectorError } from '../errors.js';

/** The shapes of the API answers townhall reads: only the fields it uses, loosely. */

export const createdPost = z.looseObject({
  id: z.number().int(),
  topic_id: z.number().int(),
  post_number: z.number().int(),
});
export const streamPost = z.looseObject({
  id: z.number().int(),
  post_number: z.number().int(),
  username: z.string(),
  name: z.string().nullish(),
  user_id: z.number().int().optional(),
  post_type: z.number().int().optional(),
  cooked: z.string(),
  created_at: z.string(),
});
export const topicViewSchema = z.looseObject({
  id: z.number().int(),
  title: z.string(),
  slug: z.string().optional(),
  category_id: z.number().int().nullish(),
  post_stream: z.looseObject({
    posts: z.array(streamPost),
    stream: z.array(z.number().int()).optional(),
  }),
});
export const postsByIds = z.looseObject({
  post_stream: z.looseObject({ posts: z.array(streamPost) }),
});
export const singlePost = z.looseObject({
  id: z.number().int(),
  raw: z.string().optional(),
  /** Per action type (2 is like): `acted` when the API user has done it. */
  actions_summary: z
    .array(z.looseObject({ id: z.number().int(), acted: z.boolean().optional() }))
    .optional(),
});
export const userView = z.looseObject({
  user: z.looseObject({
    id: z.number().int(),
    username: z.string(),
    name: z.string().nullish(),
    groups: z.array(z.looseObject({ id: z.number().int(), name: z.string() })).optional(),
  }),
});

/** A 2xx whose body is not what Discourse documents: the API changed or a proxy answered. */
export function read<T>(schema: z.ZodType<T>, json: unknown, action: string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new ConnectorError('unavailable', `Discourse ${action}: unexpected answer`, {
    vendor: 'discourse',
    cause: parsed.error,
  });
}
