import express from 'express';
import type { FieldError, Json } from './http.js';
import {
  EMAIL,
  duplicate,
  intParam,
  invalid,
  isObject,
  missing,
  notFound,
  validationFailed,
} from './http.js';
import type { Desk } from './store.js';
import { serializeAgent, serializeContact } from './store.js';

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Contacts (soft and hard delete) and the agents list under /api/v2. */
export function contactRoutes(desk: Desk) {
  const router = express.Router();
  const contact = (id: unknown) => {
    const person = desk.people.get(intParam(id));
    return person && !person.agent ? person : undefined;
  };

  /** Filters: email, unique_external_id; `state=deleted` lists the soft-deleted instead. */
  router.get('/contacts', (req, res) => {
    const email = text(req.query.email)?.trim().toLowerCase();
    const external = text(req.query.unique_external_id);
    const deleted = req.query.state === 'deleted';
    res.json(
      [...desk.people.values()]
        .filter((p) => !p.agent && p.deleted === deleted)
        .filter((p) => (email ? p.email === email : true))
        .filter((p) => (external ? p.uniqueExternalId === external : true))
        .map(serializeContact),
    );
  });

  router.post('/contacts', (req, res) => {
    const body: Json = isObject(req.body) ? req.body : {};
    const errors: FieldError[] = [];
    const name = text(body.name);
    const email = text(body.email);
    const external = text(body.unique_external_id);
    if (!name?.trim()) errors.push(missing('name'));
    if (email !== undefined && !EMAIL.test(email))
      errors.push(invalid('email', "It should be in the 'valid email address' format"));
    if (email === undefined && external === undefined)
      errors.push({
        field: 'email',
        message:
          'Please fill at least 1 of email, mobile, phone, twitter_id, unique_external_id fields',
        code: 'missing_field',
      });
    if (errors.length > 0) return validationFailed(res, errors);
    // Agents are users too: their address is taken. Deleted contacts keep theirs until erased.
    const taken = [...desk.people.values()];
    const conflicts = [
      ...(email && taken.some((p) => p.email === email.toLowerCase()) ? [duplicate('email')] : []),
      ...(external && taken.some((p) => p.uniqueExternalId === external)
        ? [duplicate('unique_external_id')]
        : []),
    ];
    if (conflicts.length > 0) return validationFailed(res, conflicts, 409);
    const person = desk.addPerson({
      name: name!,
      email: email ?? null,
      uniqueExternalId: external ?? null,
      agent: false,
    });
    res.status(201).json(serializeContact(person));
  });

  router.get('/contacts/:id', (req, res) => {
    const person = contact(req.params.id);
    if (!person) return notFound(res);
    res.json(serializeContact(person));
  });

  /** Soft delete: to Deleted Contacts, restorable. A deleted one is not found again. */
  router.delete('/contacts/:id', (req, res) => {
    const person = contact(req.params.id);
    if (!person || person.deleted) return notFound(res);
    person.deleted = true;
    res.status(204).end();
  });

  /** Hard delete: the contact and their tickets, for good; `force=true` skips the soft delete. */
  router.delete('/contacts/:id/hard_delete', (req, res) => {
    const person = contact(req.params.id);
    if (!person) return notFound(res);
    if (!person.deleted && req.query.force !== 'true')
      return validationFailed(res, [
        invalid('contact_id', 'The contact should be soft deleted first (or force=true)'),
      ]);
    desk.erase(person);
    res.status(204).end();
  });

  router.get('/agents', (req, res) => {
    const email = text(req.query.email)?.trim().toLowerCase();
    res.json(
      [...desk.people.values()]
        .filter((p) => p.agent && (email ? p.email === email : true))
        .map(serializeAgent),
    );
  });

  return router;
}
