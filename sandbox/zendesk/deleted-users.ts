import express from 'express';
import { baseOf, intParam, notFound, paginate } from './http.js';
import type { BaseUrl, Desk, DeskUser } from './store.js';
import { serializeUser } from './store.js';

/** What Zendesk leaves of a permanently deleted user: a tombstone, no personal data. */
const TOMBSTONE_NAME = 'Permanently Deleted User';

/** The Deleted Users API's JSON: a short user object, `active` false. */
function serializeDeletedUser(base: BaseUrl, user: DeskUser) {
  const { id, name, email, created_at, updated_at, time_zone, phone, photo, locale, role } =
    serializeUser(base, user);
  return {
    id,
    url: `${base}/api/v2/deleted_users/${user.id}.json`,
    name,
    email,
    created_at,
    updated_at,
    time_zone,
    phone,
    shared_phone_number: null,
    photo,
    locale_id: 1,
    locale,
    organization_id: null,
    role,
    active: false,
  };
}

/**
 * Delete User (a soft delete: the user stays readable with `active: false`, out of search and
 * lookups) and the Deleted Users API, whose Permanently Delete User erases what is left, as
 * Zendesk's GDPR path has it. The deleted list keeps a tombstone without email or name.
 */
export function deletedUserRoutes(desk: Desk) {
  const api = express.Router();
  const softDeleted = (id: number) => {
    const user = desk.users.get(id);
    return user?.deleted === 'soft' ? user : undefined;
  };

  api.delete('/users/:id.json', (req, res) => {
    const user = desk.users.get(intParam(req.params.id));
    if (!user || user.deleted !== null) return notFound(res);
    user.deleted = 'soft';
    user.updatedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    res.json({ user: serializeUser(baseOf(req), user) });
  });

  api.get('/deleted_users.json', (req, res) => {
    const deleted = [...desk.users.values()].filter((user) => user.deleted !== null);
    res.json(
      paginate(req, deleted, 'deleted_users', (user) => serializeDeletedUser(baseOf(req), user)),
    );
  });

  api.get('/deleted_users/:id.json', (req, res) => {
    const user = softDeleted(intParam(req.params.id));
    if (!user) return notFound(res);
    res.json({ deleted_user: serializeDeletedUser(baseOf(req), user) });
  });

  /** Only a deleted user can be permanently deleted; an active or erased one is a 404. */
  api.delete('/deleted_users/:id.json', (req, res) => {
    const user = softDeleted(intParam(req.params.id));
    if (!user) return notFound(res);
    Object.assign(user, {
      deleted: 'permanent',
      name: TOMBSTONE_NAME,
      email: null,
      externalId: null,
    } satisfies Partial<DeskUser>);
    res.json({ deleted_user: serializeDeletedUser(baseOf(req), user) });
  });

  return api;
}
