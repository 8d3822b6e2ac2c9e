import { z } from 'zod';

/**
 * The parts of Freshdesk's API v2 objects townhall reads. Loose objects: Freshdesk adds fields
 * over time, and an unknown one must not fail a call.
 */

export const freshdeskTicket = z.looseObject({
  id: z.number().int(),
  subject: z.string().nullish(),
  /** 2 Open, 3 Pending, 4 Resolved, 5 Closed; 6 and up are the account's custom statuses. */
  status: z.number().int(),
  requester_id: z.number().int(),
  custom_fields: z.record(z.string(), z.unknown()).nullish(),
  tags: z.array(z.string()).nullish(),
  created_at: z.string(),
  /** Present on tickets in the trash (View Ticket answers them with `deleted: true`). */
  deleted: z.boolean().nullish(),
  spam: z.boolean().nullish(),
});
export type FreshdeskTicket = z.output<typeof freshdeskTicket>;

/** A reply or a note: Freshdesk calls both conversations. */
export const freshdeskConversation = z.looseObject({
  id: z.number().int(),
  body_text: z.string().nullish(),
  private: z.boolean(),
  /** True for what came from outside (the requester), false for what an agent wrote. */
  incoming: z.boolean().nullish(),
  user_id: z.number().int(),
  created_at: z.string(),
});
export type FreshdeskConversation = z.output<typeof freshdeskConversation>;

export const freshdeskContact = z.looseObject({
  id: z.number().int(),
  name: z.string().nullish(),
  email: z.string().nullish(),
  unique_external_id: z.string().nullish(),
  /** True once soft-deleted (in Deleted Contacts; restorable until hard-deleted). */
  deleted: z.boolean().nullish(),
});
export type FreshdeskContact = z.output<typeof freshdeskContact>;

/** An agent: its person (email, name) sits under `contact`. */
export const freshdeskAgent = z.looseObject({
  id: z.number().int(),
  contact: z.looseObject({ email: z.string().nullish() }).nullish(),
});

/** `GET /search/tickets`: at most 30 per page, ten pages. */
export const ticketSearch = z.looseObject({
  results: z.array(freshdeskTicket),
  total: z.number().int(),
});
