import express from 'express';
import {
  EMAIL,
  baseOf,
  intParam,
  isObject,
  notFound,
  paginate,
  parseQuery,
  recordInvalid,
  text,
} from './http.js';
import type { Desk } from './store.js';
import { serializeUser } from './store.js';

/** Users: the API user, lookups, and create-or-update of requesters. */
export function userRoutes(desk: Desk) {
  const api = express.Router();

  api.get('/users/me.json', (req, res) => {
    res.json({ user: serializeUser(baseOf(req), desk.apiUser()) });
  });

  /**
   * `external_id=` (ids only), or `query=` in the search syntax: `email:`, `external_id:`,
   * `role:`, `name:` terms and bare words matched against name and email. Deleted users are not
   * found (the deleted-users list has them).
   */
  api.get('/users/search.json', (req, res) => {
    const externalId = text(req.query.external_id);
    const query = text(req.query.query);
    const { terms, words } = parseQuery(query ?? '');
    const term = (name: string, value: string | null) =>
      !terms.has(name) || value?.toLowerCase() === terms.get(name)!.toLowerCase();
    const users = desk
      .activeUsers()
      .filter((user) =>
        externalId !== undefined
          ? user.externalId === externalId
          : query !== undefined &&
            term('email', user.email) &&
            term('external_id', user.externalId) &&
            term('role', user.role) &&
            term('name', user.name) &&
            words.every((word) => `${user.name} ${user.email ?? ''}`.toLowerCase().includes(word)),
      );
    res.json(paginate(req, users, 'users', (user) => serializeUser(baseOf(req), user)));
  });

  /** A deleted user still shows (active: false) until permanently deleted. */
  api.get('/users/:id.json', (req, res) => {
    const user = desk.users.get(intParam(req.params.id));
    if (!user || user.deleted === 'permanent') return notFound(res);
    res.json({ user: serializeUser(baseOf(req), user) });
  });

  api.post('/users/create_or_update.json', (req, res) => {
    const input = isObject(req.body) && isObject(req.body.user) ? req.body.user : {};
    const name = text(input.name)?.trim();
    const email = text(input.email)?.trim();
    const externalId =
      text(input.external_id) ??
      (typeof input.external_id === 'number' ? String(input.external_id) : undefined);
    if (email !== undefined && !EMAIL.test(email))
      return recordInvalid(res, {
        email: [
          { description: `Email: ${email} is not properly formatted`, error: 'InvalidFormat' },
        ],
      });
    const existing =
      (externalId !== undefined ? desk.byExternalId(externalId) : undefined) ??
      (email !== undefined ? desk.byEmail(email) : undefined);
    if (existing) {
      if (name) existing.name = name;
      if (externalId !== undefined) existing.externalId = externalId;
      if (email !== undefined && !existing.email) existing.email = email.toLowerCase();
      existing.updatedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      res.status(200).json({ user: serializeUser(baseOf(req), existing) });
      return;
    }
    if (!name)
      return recordInvalid(res, {
        name: [
          { description: 'Name: is too short (minimum is 1 characters)', error: 'ValueTooShort' },
        ],
      });
    const user = desk.addUser({ name, email: email ?? null, externalId: externalId ?? null });
    res
      .status(201)
      .location(`${baseOf(req)}/api/v2/users/${user.id}.json`)
      .json({ user: serializeUser(baseOf(req), user) });
  });

  return api;
}
