/** What the emulated Freshdesk account holds: people (contacts and agents), tickets, conversations. */

/** The agent a person acts as in the sandbox's agent actions (/_sandbox/freshdesk/...). */
export const SANDBOX_AGENT_EMAIL = 'agent@sandbox.freshdesk.test';

export interface Person {
  id: number;
  name: string;
  email: string | null;
  uniqueExternalId: string | null;
  /** Agents are people too, but never listed as contacts. */
  agent: boolean;
  /** Soft-deleted: in Deleted Contacts until hard-deleted. */
  deleted: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Ticket {
  id: number;
  subject: string;
  description: string;
  status: number;
  priority: number;
  source: number;
  requesterId: number;
  tags: string[];
  customFields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface Conversation {
  id: number;
  ticketId: number;
  body: string;
  private: boolean;
  incoming: boolean;
  userId: number;
  /** 0 reply, 2 note (Freshdesk's conversation sources). */
  source: number;
  createdAt: string;
}

/** HTML as Freshdesk renders body_text: line breaks kept, tags dropped, entities read. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export function createDesk(options: { apiAgentEmail: string; customFields: readonly string[] }) {
  const people = new Map<number, Person>();
  const tickets = new Map<number, Ticket>();
  const conversations: Conversation[] = [];
  let nextPerson = 0;
  let nextTicket = 0;
  let nextConversation = 0;

  function addPerson(fields: Pick<Person, 'name' | 'email' | 'uniqueExternalId' | 'agent'>) {
    const at = now();
    const person: Person = {
      id: 43_000_000_000 + ++nextPerson,
      ...fields,
      email: fields.email?.toLowerCase() ?? null,
      deleted: false,
      createdAt: at,
      updatedAt: at,
    };
    people.set(person.id, person);
    return person;
  }

  function seed() {
    people.clear();
    tickets.clear();
    conversations.length = 0;
    nextPerson = nextTicket = nextConversation = 0;
    addPerson({
      name: 'Townhall',
      email: options.apiAgentEmail,
      uniqueExternalId: null,
      agent: true,
    });
    addPerson({
      name: 'Sandbox Agent',
      email: SANDBOX_AGENT_EMAIL,
      uniqueExternalId: null,
      agent: true,
    });
  }
  seed();

  return {
    /** The account's custom ticket fields (API names, `cf_...`). */
    customFields: new Set(options.customFields),
    people,
    tickets,
    conversations,
    reset: seed,
    addPerson,
    apiAgent: () => [...people.values()].find((p) => p.email === options.apiAgentEmail)!,
    agent: () => [...people.values()].find((p) => p.email === SANDBOX_AGENT_EMAIL)!,
    /** Anyone by email, agents included, deleted contacts not (Freshdesk's user lookup). */
    byEmail: (email: string) =>
      [...people.values()].find((p) => !p.deleted && p.email === email.trim().toLowerCase()),
    byExternalId: (id: string) =>
      [...people.values()].find((p) => !p.deleted && p.uniqueExternalId === id),
    addTicket(fields: Omit<Ticket, 'id' | 'createdAt' | 'updatedAt'>) {
      const at = now();
      const ticket: Ticket = { id: ++nextTicket, ...fields, createdAt: at, updatedAt: at };
      tickets.set(ticket.id, ticket);
      return ticket;
    },
    addConversation(fields: Omit<Conversation, 'id' | 'createdAt'>) {
      const conversation = { id: 80_000_000_000 + ++nextConversation, ...fields, createdAt: now() };
      conversations.push(conversation);
      const ticket = tickets.get(fields.ticketId);
      if (ticket) ticket.updatedAt = conversation.createdAt;
      return conversation;
    },
    conversationsOf: (ticketId: number) => conversations.filter((c) => c.ticketId === ticketId),
    touch(ticket: Ticket) {
      ticket.updatedAt = now();
    },
    /** Hard delete: the person, their tickets and everything on them (Freshdesk's GDPR erase). */
    erase(person: Person) {
      people.delete(person.id);
      for (const ticket of [...tickets.values()])
        if (ticket.requesterId === person.id) tickets.delete(ticket.id);
      for (let i = conversations.length - 1; i >= 0; i--)
        if (!tickets.has(conversations[i]!.ticketId)) conversations.splice(i, 1);
    },
  };
}

export type Desk = ReturnType<typeof createDesk>;

export const serializeTicket = (ticket: Ticket) => ({
  id: ticket.id,
  subject: ticket.subject,
  description: ticket.description,
  description_text: htmlToText(ticket.description),
  status: ticket.status,
  priority: ticket.priority,
  source: ticket.source,
  requester_id: ticket.requesterId,
  responder_id: null,
  group_id: null,
  type: null,
  tags: ticket.tags,
  custom_fields: ticket.customFields,
  is_escalated: false,
  spam: false,
  created_at: ticket.createdAt,
  updated_at: ticket.updatedAt,
});

export const serializeConversation = (c: Conversation) => ({
  id: c.id,
  ticket_id: c.ticketId,
  body: c.body,
  body_text: htmlToText(c.body),
  private: c.private,
  incoming: c.incoming,
  user_id: c.userId,
  source: c.source,
  to_emails: [],
  created_at: c.createdAt,
  updated_at: c.createdAt,
});

export const serializeContact = (p: Person) => ({
  id: p.id,
  name: p.name,
  email: p.email,
  unique_external_id: p.uniqueExternalId,
  active: false,
  ...(p.deleted ? { deleted: true } : {}),
  created_at: p.createdAt,
  updated_at: p.updatedAt,
});

export const serializeAgent = (p: Person) => ({
  id: p.id,
  available: true,
  occasional: false,
  ticket_scope: 1,
  contact: { name: p.name, email: p.email, active: true },
  created_at: p.createdAt,
  updated_at: p.updatedAt,
});
