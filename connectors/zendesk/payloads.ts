import { z } from 'zod';

/**
 * Zendesk event-subscription webhook bodies (`zen:event-type:...`, event version 2022-11-06), as
 * documented under Webhooks > Event types > Ticket events. Ids in `detail` arrive as strings
 * ("external_id (returned as a string)"), statuses in capitals (OPEN, SOLVED). Only what
 * townhall reads is declared; everything else passes through (looseObject).
 */

export const TICKET_STATUS_CHANGED = 'zen:event-type:ticket.status_changed';
export const TICKET_COMMENT_ADDED = 'zen:event-type:ticket.comment_added';

/** An id Zendesk may send as "5158" or 5158. */
const zendeskId = z
  .union([z.string().regex(/^\d+$/, 'expected a numeric id'), z.number().int().nonnegative()])
  .transform(String);

const envelope = {
  type: z.string().min(1),
  account_id: zendeskId,
  /** Unique per event; a redelivery of the same event keeps it. */
  id: z.string().min(1),
  time: z.string().refine((time) => !Number.isNaN(Date.parse(time)), 'expected an ISO 8601 time'),
  /** `zen:ticket:<id>` */
  subject: z.string().optional(),
};

/** Every event subscription body: what is needed to route it, or to ignore it. */
export const eventEnvelope = z.looseObject(envelope);

/** The ticket as it is after the event. */
const ticketDetail = z.looseObject({
  id: zendeskId,
  external_id: z.string().nullish(),
  requester_id: zendeskId.nullish(),
  status: z.string().optional(),
});

export const statusChangedBody = z.looseObject({
  ...envelope,
  detail: ticketDetail,
  event: z.looseObject({ current: z.string().min(1), previous: z.string().nullish() }),
});

export const commentAddedBody = z.looseObject({
  ...envelope,
  detail: ticketDetail,
  event: z.looseObject({
    comment: z.looseObject({
      id: zendeskId,
      body: z.string(),
      is_public: z.boolean(),
      author: z.looseObject({
        id: zendeskId,
        is_staff: z.boolean().optional(),
        name: z.string().nullish(),
      }),
    }),
  }),
});
