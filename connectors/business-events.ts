import { z } from 'zod';

/** The CRM or help desk an event came from: the id of its connector (connectors/index.ts). */
export const businessSystem = z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a connector id');

/**
 * One vocabulary for ticket states across help desks (Zendesk new/open/pending/hold/solved/
 * closed, Intercom submitted/in_progress/waiting_on_customer/resolved); `vendorStatus` keeps the
 * original.
 */
export const ticketStatus = z.enum(['open', 'waiting', 'resolved', 'closed']);

const base = {
  /** Unique per source event, e.g. `zendesk:<account>:<event id>`. Redeliveries share it. */
  eventId: z.string().min(1),
  system: businessSystem,
  occurredAt: z.iso.datetime(),
};

const ticket = {
  ticketId: z.string().min(1),
  /** The id townhall gave the ticket when it created it (links it to a community thread). */
  externalId: z.string().min(1).optional(),
};

/** The normalized events help desks and CRMs produce; routers only see these. */
export const businessEvent = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('ticket.status_changed'),
    ...ticket,
    status: ticketStatus,
    vendorStatus: z.string().min(1),
  }),
  z.object({
    ...base,
    type: z.literal('ticket.comment_added'),
    ...ticket,
    commentId: z.string().min(1),
    /** Public replies flow back to the community thread; internal notes never do. */
    public: z.boolean(),
    author: z.object({
      id: z.string().min(1),
      name: z.string().optional(),
      role: z.enum(['agent', 'requester', 'other']),
    }),
    text: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal('contact.changed'),
    contactId: z.string().min(1),
    /** Property names only: values may be personal data and are read through the API. */
    properties: z.array(z.string().min(1)),
  }),
  z.object({ ...base, type: z.literal('contact.deleted'), contactId: z.string().min(1) }),
  /** The person asked the CRM to erase them (a GDPR deletion): townhall erases them too. */
  z.object({
    ...base,
    type: z.literal('contact.erasure_requested'),
    contactId: z.string().min(1),
  }),
  z.object({
    ...base,
    type: z.literal('contact.merged'),
    /** The contact the merge resulted in: the CRM record that remains. */
    contactId: z.string().min(1),
    /** The contacts merged into it, which no longer exist on their own. */
    mergedContactIds: z.array(z.string().min(1)).min(1),
  }),
]);

export type BusinessEvent = z.infer<typeof businessEvent>;
export type TicketStatus = z.infer<typeof ticketStatus>;
