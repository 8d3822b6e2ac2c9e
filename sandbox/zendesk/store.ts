/** The emulated Zendesk account's state, and the JSON Zendesk's Support API renders it as. */

export type Role = 'end-user' | 'agent' | 'admin';

export interface DeskUser {
  id: number;
  name: string;
  email: string | null;
  externalId: string | null;
  role: Role;
  createdAt: string;
  updatedAt: string;
  /** Delete User makes it 'soft' (active: false), Permanently Delete User 'permanent'. */
  deleted: 'soft' | 'permanent' | null;
}

export interface DeskTicket {
  id: number;
  externalId: string | null;
  subject: string;
  description: string;
  status: string;
  priority: string | null;
  requesterId: number;
  submitterId: number;
  assigneeId: number | null;
  tags: string[];
  channel: 'api' | 'web';
  createdAt: string;
  updatedAt: string;
  /** Soft-deleted (DELETE /tickets/{id}): gone from every list, show answers 404. */
  deleted: boolean;
}

export interface DeskComment {
  id: number;
  ticketId: number;
  auditId: number;
  authorId: number;
  body: string;
  htmlBody: string;
  public: boolean;
  channel: 'api' | 'web';
  createdAt: string;
}

export const SANDBOX_ACCOUNT_ID = 9_000_001;
/** The agent the sandbox's reply and solve endpoints act as (not the API user). */
export const SANDBOX_AGENT_EMAIL = 'agent@sandbox.zendesk.test';

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Zendesk renders a plain comment as HTML, and an HTML comment as plain text. */
export function renderBody(input: { body?: string; htmlBody?: string }): {
  body: string;
  htmlBody: string;
} {
  if (input.htmlBody !== undefined) {
    const body = input.htmlBody
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
      .replace(/<[^>]*>/g, '')
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
      .trim();
    return { body, htmlBody: `<div class="zd-comment" dir="auto">${input.htmlBody}</div>` };
  }
  const body = input.body ?? '';
  const paragraphs = body
    .split(/\n{2,}/)
    .map((p) => `<p dir="auto">${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
  return { body, htmlBody: `<div class="zd-comment" dir="auto">${paragraphs}</div>` };
}

export function createDesk(apiUser: { email: string }) {
  const users = new Map<number, DeskUser>();
  const tickets = new Map<number, DeskTicket>();
  const comments: DeskComment[] = [];
  let nextUserId = 10_001;
  let nextTicketId = 1;
  let nextCommentId = 500_001;
  let nextAuditId = 700_001;

  function addUser(input: {
    name: string;
    email?: string | null;
    externalId?: string | null;
    role?: Role;
  }): DeskUser {
    const at = now();
    const user: DeskUser = {
      id: nextUserId++,
      name: input.name,
      email: input.email?.toLowerCase() ?? null,
      externalId: input.externalId ?? null,
      role: input.role ?? 'end-user',
      createdAt: at,
      updatedAt: at,
      deleted: null,
    };
    users.set(user.id, user);
    return user;
  }

  function seed() {
    users.clear();
    tickets.clear();
    comments.length = 0;
    nextUserId = 10_001;
    nextTicketId = 1;
    nextCommentId = 500_001;
    nextAuditId = 700_001;
    addUser({ name: 'Townhall API', email: apiUser.email, role: 'admin' });
    addUser({ name: 'Sandbox Agent', email: SANDBOX_AGENT_EMAIL, role: 'agent' });
  }
  seed();

  /** Users not deleted: the ones lookups, search and new tickets see. */
  const activeUsers = () => [...users.values()].filter((user) => user.deleted === null);
  const byEmail = (email: string) =>
    activeUsers().find((user) => user.email === email.toLowerCase());
  const byExternalId = (externalId: string) =>
    activeUsers().find((user) => user.externalId === externalId);

  return {
    users,
    tickets,
    comments,
    reset: seed,
    addUser,
    activeUsers,
    byEmail,
    byExternalId,
    apiUser: () => byEmail(apiUser.email)!,
    agent: () => byEmail(SANDBOX_AGENT_EMAIL)!,
    liveTicket: (id: number) => {
      const ticket = tickets.get(id);
      return ticket && !ticket.deleted ? ticket : undefined;
    },
    liveTickets: () => [...tickets.values()].filter((ticket) => !ticket.deleted),
    commentsOf: (ticketId: number) => comments.filter((c) => c.ticketId === ticketId),
    newAuditId: () => nextAuditId++,

    addTicket(input: Omit<DeskTicket, 'id' | 'createdAt' | 'updatedAt' | 'deleted'>) {
      const at = now();
      const ticket: DeskTicket = {
        ...input,
        id: nextTicketId++,
        createdAt: at,
        updatedAt: at,
        deleted: false,
      };
      tickets.set(ticket.id, ticket);
      return ticket;
    },

    addComment(input: Omit<DeskComment, 'id' | 'createdAt'>): DeskComment {
      const comment: DeskComment = { ...input, id: nextCommentId++, createdAt: now() };
      comments.push(comment);
      const ticket = tickets.get(input.ticketId);
      if (ticket) ticket.updatedAt = comment.createdAt;
      return comment;
    },

    touch(ticket: DeskTicket) {
      ticket.updatedAt = now();
    },
  };
}

export type Desk = ReturnType<typeof createDesk>;

/** The account's API URL, as Zendesk puts it in every resource's `url`. */
export type BaseUrl = string;

/** Users API JSON (the User object's documented fields). */
export function serializeUser(base: BaseUrl, user: DeskUser) {
  return {
    id: user.id,
    url: `${base}/api/v2/users/${user.id}.json`,
    name: user.name,
    email: user.email,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    time_zone: 'UTC',
    iana_time_zone: 'Etc/UTC',
    phone: null,
    shared_phone_number: null,
    photo: null,
    locale_id: 1,
    locale: 'en-US',
    organization_id: null,
    role: user.role,
    verified: user.role !== 'end-user',
    external_id: user.externalId,
    tags: [],
    alias: null,
    active: user.deleted === null,
    shared: false,
    shared_agent: false,
    last_login_at: null,
    two_factor_auth_enabled: null,
    signature: null,
    details: null,
    notes: null,
    role_type: null,
    custom_role_id: null,
    moderator: user.role !== 'end-user',
    ticket_restriction: user.role === 'end-user' ? 'requested' : null,
    only_private_comments: false,
    restricted_agent: user.role === 'end-user',
    suspended: false,
    default_group_id: null,
    report_csv: false,
    user_fields: {},
  };
}

/** Tickets API JSON (the Ticket object's documented fields). */
export function serializeTicket(base: BaseUrl, ticket: DeskTicket) {
  return {
    url: `${base}/api/v2/tickets/${ticket.id}.json`,
    id: ticket.id,
    external_id: ticket.externalId,
    via: { channel: ticket.channel, source: { from: {}, to: {}, rel: null } },
    created_at: ticket.createdAt,
    updated_at: ticket.updatedAt,
    generated_timestamp: Math.floor(Date.parse(ticket.updatedAt) / 1000),
    type: null,
    subject: ticket.subject,
    raw_subject: ticket.subject,
    description: ticket.description,
    priority: ticket.priority,
    status: ticket.status,
    recipient: null,
    requester_id: ticket.requesterId,
    submitter_id: ticket.submitterId,
    assignee_id: ticket.assigneeId,
    organization_id: null,
    group_id: null,
    collaborator_ids: [],
    follower_ids: [],
    email_cc_ids: [],
    forum_topic_id: null,
    problem_id: null,
    has_incidents: false,
    is_public: true,
    due_at: null,
    tags: ticket.tags,
    custom_fields: [],
    satisfaction_rating: null,
    sharing_agreement_ids: [],
    custom_status_id: null,
    fields: [],
    followup_ids: [],
    ticket_form_id: null,
    brand_id: null,
    allow_channelback: false,
    allow_attachments: true,
    from_messaging_channel: false,
  };
}

/** Ticket Comments API JSON. */
export function serializeComment(comment: DeskComment) {
  return {
    id: comment.id,
    type: 'Comment',
    author_id: comment.authorId,
    body: comment.body,
    html_body: comment.htmlBody,
    plain_body: comment.body,
    public: comment.public,
    attachments: [],
    audit_id: comment.auditId,
    via: { channel: comment.channel, source: { from: {}, to: {}, rel: null } },
    created_at: comment.createdAt,
    metadata: { system: {}, custom: {} },
  };
}
