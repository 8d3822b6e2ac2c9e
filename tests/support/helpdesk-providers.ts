// The help desks the HelpDesk contract (tests/integration/helpdesk-port.test.ts) runs against:
// how each is configured for the sandbox, and how the sandbox shows what the port did. Over 300
// lines: one entry per desk, each appended to PROVIDERS.
import os from 'node:os';
import type { TicketStatus } from '../../connectors/business-events.js';
import { FRESHDESK_DEFAULTS, FRESHDESK_SANDBOX_PATH } from '../../sandbox/freshdesk/index.js';
import { SANDBOX_AGENT_EMAIL as FRESHDESK_AGENT_EMAIL } from '../../sandbox/freshdesk/store.js';
import { INTERCOM_DEFAULTS } from '../../sandbox/intercom/index.js';
import { ZENDESK_DEFAULTS } from '../../sandbox/zendesk/index.js';
import { SANDBOX_AGENT_EMAIL } from '../../sandbox/zendesk/store.js';

export const ZENDESK = {
  email: 'townhall@helpdesk.zendesk.test',
  apiToken: 'helpdesk-zendesk-token',
};
export const INTERCOM = { accessToken: 'helpdesk-intercom-token', adminId: '991267900' };

/** A comment (Zendesk) or part (Intercom) as the sandbox holds it. */
export interface HeldComment {
  id: string;
  body: string | null;
  public: boolean;
  /** Written as the ticket's requester (their own message), not by staff. */
  byRequester: boolean;
}

/** A ticket (or conversation) as the sandbox holds it. */
export interface HeldTicket {
  id: string;
  comments: HeldComment[];
}

/** A person the desk holds: an end user (Zendesk) or a contact (Intercom). */
export interface HeldPerson {
  email: string | null;
  externalId: string | null;
}

export interface AgentAction {
  action: string;
  body?: Record<string, unknown>;
  status: TicketStatus;
  vendorStatus: string;
}

export interface Provider {
  name: string;
  /** `connectors:` as a config file has it; the port is built from it as the runtime does. */
  connectors(sandboxUrl: string): Record<string, unknown>;
  /** Live tickets (or conversations). */
  tickets(sandboxUrl: string): Promise<HeldTicket[]>;
  people(sandboxUrl: string): Promise<HeldPerson[]>;
  /** Faults (POST /_sandbox/faults) that let the create's lookup through, then drop its answer. */
  lostCreate: Record<string, unknown>[];
  /** Faults that let the erasure's search through, then drop the answer to its delete. */
  lostDelete: Record<string, unknown>[];
  /** readStatus's vendorStatus for a new ticket. */
  opened: string;
  /** Sandbox agent actions (`:id` the ticket's) and what readStatus says after each. */
  wait: AgentAction;
  finish: AgentAction;
  /** A teammate's address (an agent, never a requester to erase). */
  agentEmail: string;
  /** The sandbox agent action that adds an internal note (its webhook must parse as one). */
  note: { action: string; body: Record<string, unknown> };
  /** The url createTicket returns for this ticket: the desk's public page, if it has one. */
  ticketUrl(sandboxUrl: string, ticketId: string): string | undefined;
}

async function inspect<T>(sandboxUrl: string, what: string): Promise<T[]> {
  const response = await fetch(`${sandboxUrl}/_sandbox/${what}`);
  if (!response.ok) throw new Error(`GET /_sandbox/${what}: HTTP ${response.status}`);
  return (await response.json()) as T[];
}

interface IntercomPart {
  id: string;
  part_type: string;
  body: string | null;
  author: { type: string; id: string };
}
/** Parts by one of the item's contacts are the requester's (Intercom shows them as theirs). */
const fromParts = (parts: IntercomPart[], contactIds: string[]): HeldComment[] =>
  parts
    .filter((part) => part.part_type === 'comment' || part.part_type === 'note')
    .map((part) => ({
      id: part.id,
      body: part.body,
      public: part.part_type === 'comment',
      byRequester: part.author.type !== 'admin' && contactIds.includes(part.author.id),
    }));
type IntercomContacts = { contacts: { contacts: { id: string }[] } };
const contactIdsOf = (item: IntercomContacts) => item.contacts.contacts.map((c) => c.id);

const intercomPeople = async (sandboxUrl: string) =>
  (
    await inspect<{ email: string; external_id: string | null }>(sandboxUrl, 'intercom/contacts')
  ).map((contact) => ({ email: contact.email || null, externalId: contact.external_id }));

// POST /contacts/search passes, then DELETE /contacts/{id} acts and its answer is lost.
const INTERCOM_LOST_DELETE = [
  { vendor: 'intercom', path: '/contacts/search' },
  { vendor: 'intercom', path: '/contacts/', drop: true },
];

const intercom = (create: 'ticket' | 'conversation') => (sandboxUrl: string) => ({
  intercom: {
    accessToken: INTERCOM.accessToken,
    // The sandbox signs its webhooks with its default secret; the contract checks them.
    clientSecret: INTERCOM_DEFAULTS.clientSecret,
    baseUrl: sandboxUrl,
    create,
    ...(create === 'ticket' ? { ticketTypeId: '1' } : {}),
    adminId: INTERCOM.adminId,
  },
});

export const PROVIDERS: Provider[] = [
  {
    name: 'Zendesk',
    connectors: (sandboxUrl) => ({
      zendesk: {
        baseUrl: sandboxUrl,
        email: ZENDESK.email,
        apiToken: ZENDESK.apiToken,
        webhookSecret: ZENDESK_DEFAULTS.webhookSecret,
        ticketDefaults: { tags: [] },
      },
    }),
    async tickets(sandboxUrl) {
      type Comment = { id: number; body: string; public: boolean; author_id: number };
      type Ticket = { id: number; deleted: boolean; requester_id: number; comments: Comment[] };
      return (await inspect<Ticket>(sandboxUrl, 'zendesk/tickets'))
        .filter((ticket) => !ticket.deleted)
        .map((ticket) => ({
          id: String(ticket.id),
          comments: ticket.comments.map((c) => ({
            id: String(c.id),
            body: c.body,
            public: c.public,
            byRequester: c.author_id === ticket.requester_id,
          })),
        }));
    },
    async people(sandboxUrl) {
      type User = { email: string | null; external_id: string | null };
      return (await inspect<User>(sandboxUrl, 'zendesk/users')).map((user) => ({
        email: user.email,
        externalId: user.external_id,
      }));
    },
    // GET /tickets.json?external_id= passes, then POST /tickets.json acts and its answer is lost.
    lostCreate: [
      { vendor: 'zendesk', path: '/api/v2/tickets.json' },
      { vendor: 'zendesk', path: '/api/v2/tickets.json', drop: true },
    ],
    // GET /users/search passes, then DELETE /users/{id} acts and its answer is lost.
    lostDelete: [
      { vendor: 'zendesk', path: '/api/v2/users/search' },
      { vendor: 'zendesk', path: '/api/v2/users/', drop: true },
    ],
    opened: 'new',
    wait: {
      action: 'zendesk/tickets/:id/reply',
      body: { body: 'Could you send a screenshot?', status: 'pending' },
      status: 'waiting',
      vendorStatus: 'pending',
    },
    finish: { action: 'zendesk/tickets/:id/solve', status: 'resolved', vendorStatus: 'solved' },
    agentEmail: SANDBOX_AGENT_EMAIL,
    note: { action: 'zendesk/tickets/:id/note', body: { body: 'Customer on the old plan' } },
    // The Help Center request page, on the account's own address (here the sandbox's).
    ticketUrl: (sandboxUrl, ticketId) => `${sandboxUrl}/hc/requests/${ticketId}`,
  },
  {
    name: 'Intercom (tickets)',
    connectors: intercom('ticket'),
    async tickets(sandboxUrl) {
      type Ticket = IntercomContacts & {
        id: string;
        ticket_parts: { ticket_parts: IntercomPart[] };
      };
      return (await inspect<Ticket>(sandboxUrl, 'intercom/tickets')).map((ticket) => ({
        id: ticket.id,
        comments: fromParts(ticket.ticket_parts.ticket_parts, contactIdsOf(ticket)),
      }));
    },
    people: intercomPeople,
    lostDelete: INTERCOM_LOST_DELETE,
    lostCreate: [
      { vendor: 'intercom', path: '/tickets/search' },
      { vendor: 'intercom', path: '/tickets', drop: true },
    ],
    opened: 'submitted',
    wait: {
      action: 'intercom/tickets/:id/wait',
      status: 'waiting',
      vendorStatus: 'waiting_on_customer',
    },
    finish: {
      action: 'intercom/tickets/:id/resolve',
      status: 'resolved',
      vendorStatus: 'resolved',
    },
    agentEmail: 'agent@sandbox.intercom.test',
    note: {
      action: 'intercom/tickets/:id/note',
      body: { body: '<p>Customer on the old plan</p>' },
    },
    ticketUrl: () => undefined,
  },
  {
    name: 'Intercom (conversations)',
    connectors: intercom('conversation'),
    async tickets(sandboxUrl) {
      type Conversation = IntercomContacts & {
        id: string;
        conversation_parts: { conversation_parts: IntercomPart[] };
      };
      return (await inspect<Conversation>(sandboxUrl, 'intercom/conversations')).map((c) => ({
        id: c.id,
        comments: fromParts(c.conversation_parts.conversation_parts, contactIdsOf(c)),
      }));
    },
    people: intercomPeople,
    lostDelete: INTERCOM_LOST_DELETE,
    lostCreate: [
      { vendor: 'intercom', path: '/conversations/search' },
      { vendor: 'intercom', path: '/conversations', drop: true },
    ],
    opened: 'open',
    wait: {
      action: 'intercom/conversations/:id/snooze',
      status: 'waiting',
      vendorStatus: 'snoozed',
    },
    // Conversations are closed, not resolved.
    finish: {
      action: 'intercom/conversations/:id/close',
      status: 'closed',
      vendorStatus: 'closed',
    },
    agentEmail: 'agent@sandbox.intercom.test',
    note: {
      action: 'intercom/conversations/:id/note',
      body: { body: '<p>Customer on the old plan</p>' },
    },
    ticketUrl: () => undefined,
  },
  {
    // The sandbox's default API key: the contract's sandbox configures no Freshdesk options.
    name: 'Freshdesk',
    connectors: (sandboxUrl) => ({
      freshdesk: {
        baseUrl: `${sandboxUrl}${FRESHDESK_SANDBOX_PATH}`,
        apiKey: FRESHDESK_DEFAULTS.apiKey,
        webhookSecret: FRESHDESK_DEFAULTS.webhookSecret,
        externalIdField: FRESHDESK_DEFAULTS.externalIdField,
        tags: [],
      },
    }),
    async tickets(sandboxUrl) {
      type Conversation = { id: number; body_text: string; private: boolean; user_id: number };
      type Ticket = { id: number; requester_id: number; conversations: Conversation[] };
      return (await inspect<Ticket>(sandboxUrl, 'freshdesk/tickets')).map((ticket) => ({
        id: String(ticket.id),
        comments: ticket.conversations.map((c) => ({
          id: String(c.id),
          body: c.body_text,
          public: !c.private,
          byRequester: c.user_id === ticket.requester_id,
        })),
      }));
    },
    async people(sandboxUrl) {
      type Person = { email: string | null; unique_external_id: string | null };
      return (await inspect<Person>(sandboxUrl, 'freshdesk/contacts')).map((person) => ({
        email: person.email,
        externalId: person.unique_external_id,
      }));
    },
    // The search and the requester's ticket list pass, then POST /tickets acts and its answer
    // is lost ('/api/v2/tickets?' is the list only: the create's path has no query).
    lostCreate: [
      { vendor: 'freshdesk', path: '/api/v2/search/tickets' },
      { vendor: 'freshdesk', path: '/api/v2/tickets?' },
      { vendor: 'freshdesk', path: '/api/v2/tickets', drop: true },
    ],
    // GET /contacts?email= passes, then the soft DELETE /contacts/{id} acts and its answer is lost.
    lostDelete: [
      { vendor: 'freshdesk', path: '/api/v2/contacts?email' },
      { vendor: 'freshdesk', path: '/api/v2/contacts/', drop: true },
    ],
    opened: 'open',
    wait: {
      action: 'freshdesk/tickets/:id/reply',
      body: { body: 'Could you send a screenshot?', status: 3 },
      status: 'waiting',
      vendorStatus: 'pending',
    },
    finish: {
      action: 'freshdesk/tickets/:id/resolve',
      status: 'resolved',
      vendorStatus: 'resolved',
    },
    agentEmail: FRESHDESK_AGENT_EMAIL,
    note: { action: 'freshdesk/tickets/:id/note', body: { body: 'Customer on the old plan' } },
    // The support portal's ticket page, on the account's own address (here the sandbox's).
    ticketUrl: (sandboxUrl, ticketId) =>
      `${sandboxUrl}${FRESHDESK_SANDBOX_PATH}/support/tickets/${ticketId}`,
  },
];

/** What connectors get from the process; the help desks use none of it. */
export const CONTEXT_DIRS = { configDir: process.cwd(), dataDir: os.tmpdir() };
