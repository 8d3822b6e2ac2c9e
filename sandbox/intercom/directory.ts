import express from 'express';
import type { ApiContext } from './api-helpers.js';
import { EMAIL, lower, searchable } from './api-helpers.js';
import { fail, invalid, notFound } from './errors.js';
import type { Contact } from './store.js';
import { serializeContact, serializeTicketType } from './serialize.js';

const CONTACT_FIELDS = new Set([
  'id',
  'email',
  'external_id',
  'role',
  'name',
  'created_at',
  'updated_at',
]);

/** Intercom's admins, contacts and ticket types: what townhall reads and creates first. */
export function directoryRoutes(context: ApiContext) {
  const { ws, conforms, search } = context;
  const router = express.Router();

  router.get('/admins', conforms('get', '/admins'), (_req, res) => {
    res.json({
      type: 'admin.list',
      admins: [...ws.admins.values()].map((admin) => ({
        type: 'admin',
        ...admin,
        job_title: '',
        away_mode_enabled: false,
        away_mode_reassign: false,
        has_inbox_seat: true,
        team_ids: [],
        avatar: null,
      })),
    });
  });

  // Contacts -----------------------------------------------------------------------------------

  router.post('/contacts', conforms('post', '/contacts'), (req, res) => {
    const body = req.body as { role?: string; email?: string; external_id?: string; name?: string };
    const role = body.role ?? 'user';
    if (role !== 'user' && role !== 'lead')
      return invalid(res, 'role must be user or lead', 'role');
    if (body.email !== undefined && !EMAIL.test(body.email))
      return invalid(res, 'Invalid email address', 'email');
    // Users are unique by email and by external id (leads may share an email).
    const taken = [...ws.contacts.values()].find(
      (c) =>
        (body.external_id !== undefined && c.externalId === body.external_id) ||
        (role === 'user' &&
          c.role === 'user' &&
          body.email !== undefined &&
          lower(c.email) === lower(body.email)),
    );
    if (taken)
      return fail(res, 409, {
        code: 'conflict',
        message: `A contact matching those details already exists with id=${taken.id}`,
      });
    const contact = ws.addContact({
      role,
      email: body.email ?? null,
      externalId: body.external_id ?? null,
      name: body.name ?? null,
    });
    res.json(serializeContact(ws, contact));
  });

  router.post('/contacts/search', conforms('post', '/contacts/search'), (req, res) => {
    const result = search<Contact>(
      req,
      res,
      searchable(ws.contacts.values()),
      (contact, field) =>
        ({
          id: contact.id,
          email: contact.email,
          external_id: contact.externalId,
          role: contact.role,
          name: contact.name,
          created_at: contact.createdAt,
          updated_at: contact.updatedAt,
        })[field],
      (field) => CONTACT_FIELDS.has(field),
      50,
    );
    if (!result) return;
    res.json({
      type: 'list',
      data: result.slice.map((contact) => serializeContact(ws, contact)),
      total_count: result.total,
      pages: result.pages,
    });
  });

  /**
   * Gone at once from reads and search. Their tickets and conversations are left in place: the
   * API reference says nothing of them, and townhall does not rely on either.
   */
  router.delete('/contacts/:id', conforms('delete', '/contacts/{contact_id}'), (req, res) => {
    const contact = ws.contacts.get(String(req.params.id));
    if (!contact) return notFound(res, 'User Not Found');
    ws.contacts.delete(contact.id);
    res.json({ type: 'contact', id: contact.id, external_id: contact.externalId, deleted: true });
  });

  // Ticket types -------------------------------------------------------------------------------

  router.get('/ticket_types', conforms('get', '/ticket_types'), (_req, res) => {
    res.json({
      type: 'list',
      data: [...ws.ticketTypes.values()].map((type) => serializeTicketType(ws, type)),
    });
  });

  router.get('/ticket_types/:id', conforms('get', '/ticket_types/{ticket_type_id}'), (req, res) => {
    const type = ws.ticketTypes.get(String(req.params.id));
    if (!type) return notFound(res, 'Ticket type not found');
    res.json(serializeTicketType(ws, type));
  });

  router.post(
    '/ticket_types/:id/attributes',
    conforms('post', '/ticket_types/{ticket_type_id}/attributes'),
    (req, res) => {
      const type = ws.ticketTypes.get(String(req.params.id));
      if (!type) return notFound(res, 'Ticket type not found');
      const body = req.body as {
        name: string;
        description: string;
        data_type: string;
        required_to_create?: boolean;
        visible_on_create?: boolean;
        visible_to_contacts?: boolean;
      };
      if (type.attributes.some((a) => a.name === body.name))
        return invalid(res, 'Name has already been taken', 'name');
      const attribute = ws.addAttribute(type, {
        name: body.name,
        description: body.description,
        dataType: body.data_type,
        requiredToCreate: body.required_to_create ?? false,
        visibleOnCreate: body.visible_on_create ?? true,
        visibleToContacts: body.visible_to_contacts ?? true,
        isDefault: false,
      });
      const serialized = serializeTicketType(ws, type).ticket_type_attributes.data;
      res.json(serialized.find((a) => a.id === attribute.id));
    },
  );

  return router;
}
