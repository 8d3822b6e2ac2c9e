import { z } from 'zod';
import { epochSeconds } from '../inbound-parsing.js';

/**
 * Intercom webhook bodies (notification_event), as its webhook models document them. Only what
 * townhall reads is declared; the rest passes through (looseObject), as Intercom adds fields.
 */

/** Ids are strings in 2.x; older payloads used numbers for some of them. */
const id = z.union([z.string().min(1), z.number()]).transform(String);

/** Enough to route: the ping topic carries no id or app. */
export const envelope = z.looseObject({
  type: z.literal('notification_event'),
  topic: z.string().min(1),
});

export const notification = z.looseObject({
  type: z.literal('notification_event'),
  /** notif_<uuid>: the same for every delivery attempt of one notification. */
  id: z.string().min(1),
  topic: z.string().min(1),
  /** The workspace. */
  app_id: z.string().min(1),
  created_at: epochSeconds.nonnegative(),
  data: z.looseObject({ item: z.looseObject({}) }),
});

const author = z.looseObject({
  type: z.string(),
  id: id.optional(),
  name: z.string().nullish(),
});

const part = z.looseObject({
  id,
  part_type: z.string(),
  body: z.string().nullish(),
  created_at: epochSeconds.optional(),
  author: author.optional(),
});
export type Part = z.output<typeof part>;

/** A ticket: its state is an object in 2.14 and a bare category string before 2.10. */
export const ticketItem = z.looseObject({
  type: z.literal('ticket'),
  id,
  ticket_attributes: z.record(z.string(), z.unknown()).optional(),
  ticket_state: z.union([z.string(), z.looseObject({ category: z.string() })]).optional(),
  updated_at: z.number().int().optional(),
  ticket_parts: z.looseObject({ ticket_parts: z.array(part) }).optional(),
});

export const conversationItem = z.looseObject({
  type: z.literal('conversation'),
  id,
  source: z.looseObject({ body: z.string().nullish() }).nullish(),
  conversation_parts: z.looseObject({ conversation_parts: z.array(part) }).optional(),
});
