import { z } from 'zod';

/**
 * Freshdesk webhooks are whatever an automation rule's "Trigger webhook" action sends: townhall
 * defines the body, and each rule fills it with placeholders. Three rules (Admin > Automations >
 * Ticket updates), each POSTing JSON to https://<townhall>/webhooks/freshdesk with the header
 * `X-Townhall-Secret: <connectors.freshdesk.webhookSecret>`:
 *
 * - "Reply is sent" (performed by an agent):
 *   { "event": "reply", "ticket_id": {{ticket.id}}, "external_id": "{{ticket.cf_townhall_external_id}}",
 *     "status": "{{ticket.status}}", "body": "{{ticket.latest_public_comment}}", "public": true,
 *     "author_id": "{{ticket.agent.id}}", "author_name": "{{ticket.agent.name}}",
 *     "author_type": "agent", "occurred_at": "{{ticket.updated_at}}" }
 * - "Note is added": the same with "event": "note", "body": "{{ticket.latest_private_comment}}",
 *   "public": false (a public note: a second rule with the public comment and true); performed by
 *   the requester, "author_type": "requester" and the requester's id and name.
 * - "Status is changed": { "event": "status", "ticket_id": {{ticket.id}},
 *   "external_id": "{{ticket.cf_townhall_external_id}}", "status": "{{ticket.status}}",
 *   "occurred_at": "{{ticket.updated_at}}" }
 *
 * Placeholder names are those of the rule editor's "Insert placeholder" list; `comment_id` is
 * optional because Freshdesk offers no placeholder for it (the sandbox sends it). Ids may come as
 * numbers or strings, a status as its name ("Pending") or number (3).
 */
const id = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String);
const optionalId = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform(String)
  .optional()
  .transform((value) => (value ? value : undefined));

const common = {
  ticket_id: id,
  /** Empty when the ticket was not made by townhall (the placeholder renders nothing). */
  external_id: z.string().nullish(),
  status: z.union([z.string().min(1), z.number().int()]).transform(String),
  /** When it happened, as the placeholder renders it; townhall's receipt time when absent. */
  occurred_at: z.string().nullish(),
};

export const commentBody = z.looseObject({
  ...common,
  event: z.enum(['reply', 'note']),
  comment_id: optionalId,
  body: z.string(),
  public: z.boolean().optional(),
  author_id: optionalId,
  author_name: z.string().nullish(),
  author_type: z.enum(['agent', 'requester']).optional(),
});

export const statusBody = z.looseObject({ ...common, event: z.literal('status') });

export const envelope = z.looseObject({ event: z.string().min(1) });

export type CommentBody = z.output<typeof commentBody>;
