/** The emulated Intercom workspace's state, and the shapes API 2.14 serializes it in. */

export type StateCategory = 'submitted' | 'in_progress' | 'waiting_on_customer' | 'resolved';

export interface Admin {
  id: string;
  name: string;
  email: string;
}

export interface Contact {
  id: string;
  role: string;
  email: string | null;
  externalId: string | null;
  name: string | null;
  createdAt: number;
  updatedAt: number;
  /** When search starts returning it (Intercom's documented index delay; 0 lag by default). */
  searchableAt: number;
}

export interface TicketTypeAttribute {
  id: string;
  name: string;
  description: string;
  dataType: string;
  requiredToCreate: boolean;
  visibleOnCreate: boolean;
  visibleToContacts: boolean;
  isDefault: boolean;
  order: number;
  createdAt: number;
}

export interface TicketState {
  id: string;
  category: StateCategory;
  internalLabel: string;
  externalLabel: string;
}

export interface TicketType {
  id: string;
  name: string;
  description: string;
  icon: string;
  category: 'Customer' | 'Back-office' | 'Tracker';
  attributes: TicketTypeAttribute[];
  states: TicketState[];
  createdAt: number;
}

export interface Part {
  id: string;
  partType: string;
  body: string | null;
  createdAt: number;
  author: { type: 'admin' | 'user' | 'bot'; id: string; name: string | null; email: string };
  previousState?: StateCategory;
  state?: StateCategory;
}

export interface Ticket {
  id: string;
  /** ticket_id: the number agents see in the inbox. */
  number: string;
  typeId: string;
  attributes: Record<string, unknown>;
  stateId: string;
  contactIds: string[];
  open: boolean;
  createdAt: number;
  updatedAt: number;
  searchableAt: number;
  parts: Part[];
}

export interface Conversation {
  id: string;
  messageId: string;
  contactId: string;
  body: string;
  /** Open and snoozed conversations are `open: true` in the API; closed ones false. */
  state: 'open' | 'snoozed' | 'closed';
  snoozedUntil: number | null;
  createdAt: number;
  updatedAt: number;
  searchableAt: number;
  parts: Part[];
}

export const now = () => Math.floor(Date.now() / 1000);

export function createWorkspace(appId: string) {
  const admins = new Map<string, Admin>();
  const contacts = new Map<string, Contact>();
  const ticketTypes = new Map<string, TicketType>();
  const tickets = new Map<string, Ticket>();
  const conversations = new Map<string, Conversation>();
  const settings = { searchLagMs: 0 };
  let counter = 0;
  let ticketNumber = 0;

  const next = () => ++counter;
  /** Contact ids are 24 hex digits, as Intercom's are. */
  const contactId = () => `6762f2d8${next().toString(16).padStart(16, '0')}`;
  const numericId = (base: number) => String(base + next());

  function ticketType(input: {
    id: string;
    name: string;
    description: string;
    icon: string;
    withRef: boolean;
  }): TicketType {
    const createdAt = now();
    const attribute = (
      name: string,
      description: string,
      order: number,
      isDefault: boolean,
    ): TicketTypeAttribute => ({
      id: numericId(200),
      name,
      description,
      dataType: 'string',
      requiredToCreate: false,
      visibleOnCreate: isDefault,
      visibleToContacts: isDefault,
      isDefault,
      order,
      createdAt,
    });
    const state = (category: StateCategory, internal: string, external: string) => ({
      id: numericId(8000),
      category,
      internalLabel: internal,
      externalLabel: external,
    });
    return {
      id: input.id,
      name: input.name,
      description: input.description,
      icon: input.icon,
      category: 'Customer',
      attributes: [
        attribute('_default_title_', '', 0, true),
        attribute('_default_description_', '', 1, true),
        ...(input.withRef
          ? [attribute('townhall_ref', 'Set by townhall to find the ticket it created', 2, false)]
          : []),
      ],
      states: [
        state('submitted', 'Submitted', 'Submitted'),
        state('in_progress', 'In progress', 'In progress'),
        state('waiting_on_customer', 'Waiting on customer', 'Waiting on you'),
        state('resolved', 'Resolved', 'Resolved'),
      ],
      createdAt,
    };
  }

  /** One teammate and two ticket types: one ready for townhall, one it must prepare itself. */
  function seed() {
    for (const map of [admins, contacts, ticketTypes, tickets, conversations]) map.clear();
    counter = 0;
    ticketNumber = 0;
    settings.searchLagMs = 0;
    admins.set('991267900', {
      id: '991267900',
      name: 'Sandbox Agent',
      email: 'agent@sandbox.intercom.test',
    });
    ticketTypes.set(
      '1',
      ticketType({
        id: '1',
        name: 'Community question',
        description: 'A question from the community forum',
        icon: '💬',
        withRef: true,
      }),
    );
    ticketTypes.set(
      '2',
      ticketType({
        id: '2',
        name: 'Bug report',
        description: 'Something is broken',
        icon: '🐞',
        withRef: false,
      }),
    );
  }
  seed();

  const searchableAt = () => Date.now() + settings.searchLagMs;

  return {
    appId,
    admins,
    contacts,
    ticketTypes,
    tickets,
    conversations,
    settings,
    reset: seed,
    /** The seeded teammate, who acts for the agent endpoints. */
    agent: () => admins.get('991267900')!,

    addContact(input: {
      role: string;
      email: string | null;
      externalId: string | null;
      name: string | null;
    }): Contact {
      const at = now();
      const contact: Contact = {
        id: contactId(),
        ...input,
        createdAt: at,
        updatedAt: at,
        searchableAt: searchableAt(),
      };
      contacts.set(contact.id, contact);
      return contact;
    },

    addAttribute(type: TicketType, input: Omit<TicketTypeAttribute, 'id' | 'createdAt' | 'order'>) {
      const attribute: TicketTypeAttribute = {
        ...input,
        id: numericId(200),
        order: type.attributes.length,
        createdAt: now(),
      };
      type.attributes.push(attribute);
      return attribute;
    },

    addTicket(input: {
      type: TicketType;
      attributes: Record<string, unknown>;
      contactIds: string[];
    }): Ticket {
      const at = now();
      const ticket: Ticket = {
        id: numericId(600),
        number: String(++ticketNumber),
        typeId: input.type.id,
        attributes: input.attributes,
        stateId: input.type.states.find((s) => s.category === 'submitted')!.id,
        contactIds: input.contactIds,
        open: true,
        createdAt: at,
        updatedAt: at,
        searchableAt: searchableAt(),
        parts: [],
      };
      tickets.set(ticket.id, ticket);
      return ticket;
    },

    addConversation(input: { contact: Contact; body: string }): Conversation {
      const at = now();
      const conversation: Conversation = {
        id: numericId(1_000_000),
        messageId: numericId(2_000_000),
        contactId: input.contact.id,
        body: input.body,
        state: 'open',
        snoozedUntil: null,
        createdAt: at,
        updatedAt: at,
        searchableAt: searchableAt(),
        parts: [],
      };
      conversations.set(conversation.id, conversation);
      return conversation;
    },

    addPart(target: Ticket | Conversation, input: Omit<Part, 'id' | 'createdAt'>): Part {
      const part: Part = { ...input, id: numericId(100), createdAt: now() };
      target.parts.push(part);
      target.updatedAt = part.createdAt;
      return part;
    },

    stateOf(ticket: Ticket): TicketState {
      const type = ticketTypes.get(ticket.typeId)!;
      return type.states.find((s) => s.id === ticket.stateId)!;
    },
  };
}

export type Workspace = ReturnType<typeof createWorkspace>;
