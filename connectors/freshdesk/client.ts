import type { FreshdeskConfig } from './config.js';
import { portalUrl } from './config.js';
import { contactActions } from './contacts.js';
import type { FreshdeskHttpOptions, RateLimit } from './http.js';
import { freshdeskHttp } from './http.js';
import type { FreshdeskContact, FreshdeskConversation, FreshdeskTicket } from './resources.js';
import type { TicketInput } from './tickets.js';
import { ticketActions } from './tickets.js';

export type { Requester, TicketInput } from './tickets.js';

/** Freshdesk API v2 as townhall uses it: a small typed client over fetch (there is no SDK). */
export interface FreshdeskConnector {
  /** One live ticket per externalId (the custom field), however often it is retried. */
  createTicket(input: TicketInput): Promise<{ ticket: FreshdeskTicket; created: boolean }>;
  /** The oldest live ticket with this external id; `requester` also reads their recent tickets. */
  findTicketByExternalId(
    externalId: string,
    requester?: TicketInput['requester'],
  ): Promise<FreshdeskTicket | undefined>;
  /** undefined when there is none, or it is in the trash. */
  getTicket(ticketId: number): Promise<FreshdeskTicket | undefined>;
  reply(ticketId: number, body: string): Promise<FreshdeskConversation>;
  addNote(
    ticketId: number,
    input: { body: string; private: boolean; fromUserId?: number | undefined },
  ): Promise<FreshdeskConversation>;
  setStatus(ticketId: number, status: number): Promise<FreshdeskTicket>;
  listConversations(ticketId: number): Promise<FreshdeskConversation[]>;
  findContacts(
    lookup: { email: string } | { uniqueExternalId: string },
  ): Promise<FreshdeskContact[]>;
  findOrCreateContact(name: string, uniqueExternalId: string): Promise<FreshdeskContact>;
  /** Deletes the contact with this email for good (see contacts.ts); refuses an agent's. */
  eraseContact(email: string): Promise<{ deleted: boolean }>;
  /** The requester's page of the ticket on the support portal. */
  portalUrl(ticketId: number): string;
  /** The account's budget as the last answer reported it. */
  rateLimit(): RateLimit;
}

export function createFreshdeskConnector(
  config: FreshdeskConfig,
  options: FreshdeskHttpOptions = {},
): FreshdeskConnector {
  const http = freshdeskHttp(config, options);
  const tickets = ticketActions(http, config);
  const contacts = contactActions(http);
  return {
    createTicket: (input) => tickets.createOnce(input),
    findTicketByExternalId: (externalId, requester) =>
      tickets.findByExternalId(externalId, requester),
    getTicket: (ticketId) => tickets.get(ticketId),
    reply: (ticketId, body) => tickets.reply(ticketId, body),
    addNote: (ticketId, input) => tickets.note(ticketId, input),
    setStatus: (ticketId, status) => tickets.setStatus(ticketId, status),
    listConversations: (ticketId) => tickets.conversations(ticketId),
    findContacts: (lookup) => contacts.find(lookup),
    findOrCreateContact: (name, uniqueExternalId) => contacts.findOrCreate(name, uniqueExternalId),
    eraseContact: (email) => contacts.erase(email),
    portalUrl: (ticketId) => portalUrl(config, ticketId),
    rateLimit: () => http.rateLimit(),
  };
}
