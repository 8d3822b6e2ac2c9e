import type {
  Contact,
  Conversation,
  Part,
  Ticket,
  TicketState,
  TicketType,
  Workspace,
} from './store.js';

/**
 * Intercom's JSON for API 2.14, as the description's schemas and examples show it. Where the two
 * disagree, the examples (recorded from the live API) win: ticket type attributes are listed
 * under `data`, not `ticket_type_attributes` as the schema says.
 */

export function serializeContact(ws: Workspace, contact: Contact) {
  const emptyList = (what: string) => ({
    type: 'list',
    data: [],
    url: `/contacts/${contact.id}/${what}`,
    total_count: 0,
    has_more: false,
  });
  return {
    type: 'contact',
    id: contact.id,
    workspace_id: ws.appId,
    external_id: contact.externalId,
    role: contact.role,
    email: contact.email ?? '',
    email_domain: contact.email?.split('@')[1] ?? '',
    phone: null,
    name: contact.name,
    owner_id: null,
    has_hard_bounced: false,
    marked_email_as_spam: false,
    unsubscribed_from_emails: false,
    created_at: contact.createdAt,
    updated_at: contact.updatedAt,
    signed_up_at: contact.role === 'user' ? contact.createdAt : null,
    last_seen_at: null,
    last_replied_at: null,
    last_contacted_at: null,
    last_email_opened_at: null,
    last_email_clicked_at: null,
    language_override: null,
    browser: null,
    browser_version: null,
    browser_language: null,
    os: null,
    custom_attributes: {},
    avatar: null,
    tags: emptyList('tags'),
    notes: emptyList('notes'),
    companies: emptyList('companies'),
    location: { type: 'location', country: null, region: null, city: null },
    social_profiles: { type: 'list', data: [] },
  };
}

const serializeState = (state: TicketState) => ({
  type: 'ticket_state',
  id: state.id,
  category: state.category,
  internal_label: state.internalLabel,
  external_label: state.externalLabel,
});

export function serializeTicketType(ws: Workspace, type: TicketType) {
  return {
    type: 'ticket_type',
    id: type.id,
    name: type.name,
    description: type.description,
    icon: type.icon,
    workspace_id: ws.appId,
    archived: false,
    created_at: type.createdAt,
    updated_at: type.createdAt,
    is_internal: false,
    ticket_type_attributes: {
      type: 'list',
      data: type.attributes.map((attribute) => ({
        type: 'ticket_type_attribute',
        id: attribute.id,
        workspace_id: ws.appId,
        name: attribute.name,
        description: attribute.description,
        data_type: attribute.dataType,
        input_options: attribute.isDefault ? { multiline: attribute.order === 1 } : null,
        order: attribute.order,
        required_to_create: attribute.requiredToCreate,
        required_to_create_for_contacts: false,
        visible_on_create: attribute.visibleOnCreate,
        visible_to_contacts: attribute.visibleToContacts,
        default: attribute.isDefault,
        ticket_type_id: Number(type.id),
        archived: false,
        created_at: attribute.createdAt,
        updated_at: attribute.createdAt,
      })),
    },
    category: type.category,
    ticket_states: { type: 'list', data: type.states.map(serializeState) },
  };
}

export function serializeTicketPart(part: Part) {
  return {
    type: 'ticket_part',
    id: part.id,
    part_type: part.partType,
    body: part.body,
    ...(part.previousState ? { previous_ticket_state: part.previousState } : {}),
    ...(part.state ? { ticket_state: part.state } : {}),
    created_at: part.createdAt,
    updated_at: part.createdAt,
    author: part.author,
    attachments: [],
    redacted: false,
  };
}

export function serializeTicket(ws: Workspace, ticket: Ticket) {
  const type = ws.ticketTypes.get(ticket.typeId)!;
  return {
    type: 'ticket',
    id: ticket.id,
    ticket_id: ticket.number,
    category: type.category,
    ticket_attributes: ticket.attributes,
    ticket_state: serializeState(ws.stateOf(ticket)),
    ticket_type: serializeTicketType(ws, type),
    contacts: {
      type: 'contact.list',
      contacts: ticket.contactIds.map((id) => ({
        type: 'contact',
        id,
        external_id: ws.contacts.get(id)?.externalId ?? null,
      })),
    },
    admin_assignee_id: '0',
    team_assignee_id: '0',
    created_at: ticket.createdAt,
    updated_at: ticket.updatedAt,
    open: ticket.open,
    linked_objects: { type: 'list', data: [], total_count: 0, has_more: false },
    ticket_parts: {
      type: 'ticket_part.list',
      ticket_parts: ticket.parts.map(serializeTicketPart),
      total_count: ticket.parts.length,
    },
    is_shared: true,
  };
}

function serializeConversationPart(part: Part) {
  return {
    type: 'conversation_part',
    id: part.id,
    part_type: part.partType,
    body: part.body,
    created_at: part.createdAt,
    updated_at: part.createdAt,
    notified_at: part.createdAt,
    assigned_to: null,
    author: part.author,
    attachments: [],
    external_id: null,
    redacted: false,
  };
}

export function serializeConversation(ws: Workspace, conversation: Conversation) {
  const contact = ws.contacts.get(conversation.contactId);
  return {
    type: 'conversation',
    id: conversation.id,
    title: null,
    created_at: conversation.createdAt,
    updated_at: conversation.updatedAt,
    waiting_since: null,
    snoozed_until: conversation.snoozedUntil,
    open: conversation.state !== 'closed',
    state: conversation.state,
    read: false,
    priority: 'not_priority',
    admin_assignee_id: null,
    team_assignee_id: null,
    tags: { type: 'tag.list', tags: [] },
    source: {
      type: 'conversation',
      id: conversation.messageId,
      delivered_as: 'customer_initiated',
      subject: '',
      body: conversation.body,
      author: {
        type: contact?.role ?? 'user',
        id: conversation.contactId,
        name: contact?.name ?? null,
        email: contact?.email ?? '',
      },
      attachments: [],
      url: null,
      redacted: false,
    },
    contacts: {
      type: 'contact.list',
      contacts: [
        { type: 'contact', id: conversation.contactId, external_id: contact?.externalId ?? null },
      ],
    },
    teammates: { type: 'admin.list', teammates: [] },
    custom_attributes: {},
    conversation_parts: {
      type: 'conversation_part.list',
      conversation_parts: conversation.parts.map(serializeConversationPart),
      total_count: conversation.parts.length,
    },
  };
}

/** What POST /conversations answers: the message that started the conversation. */
export function serializeMessage(conversation: Conversation) {
  return {
    type: 'user_message',
    id: conversation.messageId,
    created_at: conversation.createdAt,
    body: conversation.body,
    message_type: 'inapp',
    conversation_id: conversation.id,
  };
}
