import { z } from 'zod';
import { ConnectorError } from '../errors.js';
import type { SlackUserInfo } from './client.js';

/** The shapes of the Web API answers townhall reads: only the fields it uses, loosely. */

export const posted = z.looseObject({ channel: z.string().min(1), ts: z.string().min(1) });
export const permalinkAnswer = z.looseObject({ permalink: z.string().min(1) });
/** Methods whose answer is `{ ok: true }` and nothing townhall reads. */
export const acknowledged = z.looseObject({});
export const opened = z.looseObject({ channel: z.looseObject({ id: z.string().min(1) }) });
const message = z.looseObject({
  ts: z.string().min(1),
  thread_ts: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().nullish(),
  subtype: z.string().optional(),
  text: z.string().optional(),
  metadata: z.unknown().optional(),
});
export const page = z.looseObject({
  messages: z.array(message).default([]),
  has_more: z.boolean().optional(),
  response_metadata: z.looseObject({ next_cursor: z.string().optional() }).optional(),
});
const userObject = z.looseObject({
  id: z.string().min(1),
  team_id: z.string().optional(),
  name: z.string().default(''),
  real_name: z.string().optional(),
  deleted: z.boolean().optional(),
  is_bot: z.boolean().optional(),
  tz: z.string().nullish(),
  profile: z
    .looseObject({
      email: z.string().optional(),
      real_name: z.string().optional(),
      display_name: z.string().optional(),
    })
    .optional(),
});
export const userAnswer = z.looseObject({ user: userObject });

/** A 2xx whose body is not what Slack documents: the API changed or a proxy answered. */
export function read<T>(schema: z.ZodType<T>, json: unknown, method: string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new ConnectorError('unavailable', `Slack ${method}: unexpected answer`, {
    vendor: 'slack',
    cause: parsed.error,
  });
}

export const nextCursor = (answer: z.infer<typeof page>) =>
  answer.response_metadata?.next_cursor || undefined;

export function toUser(user: z.infer<typeof userObject>): SlackUserInfo {
  return {
    id: user.id,
    teamId: user.team_id ?? null,
    handle: user.name,
    realName: user.profile?.real_name || user.real_name || null,
    displayName: user.profile?.display_name || null,
    email: user.profile?.email || null,
    isBot: user.is_bot ?? false,
    deleted: user.deleted ?? false,
    timezone: user.tz ?? null,
  };
}
