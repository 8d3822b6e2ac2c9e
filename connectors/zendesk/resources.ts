import { z } from 'zod';

/**
 * The parts of Zendesk's Support API resources (Users, Tickets, Ticket Comments) townhall reads.
 * Zendesk adds fields freely, so everything else passes through (looseObject).
 */

export const zendeskUser = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  email: z.string().nullish(),
  external_id: z.string().nullish(),
  role: z.string(),
});

export const ZENDESK_STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
export type ZendeskStatus = (typeof ZENDESK_STATUSES)[number];

export const zendeskTicket = z.looseObject({
  id: z.number().int(),
  url: z.string(),
  external_id: z.string().nullish(),
  subject: z.string().nullish(),
  status: z.string(),
  priority: z.string().nullish(),
  requester_id: z.number().int(),
  tags: z.array(z.string()).default([]),
  created_at: z.string(),
  updated_at: z.string(),
});

export const zendeskComment = z.looseObject({
  id: z.number().int(),
  author_id: z.number().int(),
  body: z.string(),
  html_body: z.string().optional(),
  public: z.boolean(),
  created_at: z.string(),
});

/** The connector's view of a user. */
export interface ZendeskUser {
  id: number;
  name: string;
  email: string | null;
  externalId: string | null;
  role: string;
}

/** The connector's view of a ticket. */
export interface ZendeskTicket {
  id: number;
  /** The API URL; agents open `https://<account>/agent/tickets/<id>`. */
  url: string;
  externalId: string | null;
  subject: string | null;
  status: string;
  priority: string | null;
  requesterId: number;
  tags: string[];
  createdAt: string;
}

export interface ZendeskComment {
  id: number;
  authorId: number;
  body: string;
  htmlBody: string | null;
  public: boolean;
  createdAt: string;
}

export const toUser = (user: z.output<typeof zendeskUser>): ZendeskUser => ({
  id: user.id,
  name: user.name,
  email: user.email ?? null,
  externalId: user.external_id ?? null,
  role: user.role,
});

export const toTicket = (ticket: z.output<typeof zendeskTicket>): ZendeskTicket => ({
  id: ticket.id,
  url: ticket.url,
  externalId: ticket.external_id ?? null,
  subject: ticket.subject ?? null,
  status: ticket.status,
  priority: ticket.priority ?? null,
  requesterId: ticket.requester_id,
  tags: ticket.tags,
  createdAt: ticket.created_at,
});

export const toComment = (comment: z.output<typeof zendeskComment>): ZendeskComment => ({
  id: comment.id,
  authorId: comment.author_id,
  body: comment.body,
  htmlBody: comment.html_body ?? null,
  public: comment.public,
  createdAt: comment.created_at,
});
