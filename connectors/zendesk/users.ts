import { z } from 'zod';
import { ConnectorError } from '../errors.js';
import type { ZendeskApi } from './sdk.js';
import { zendeskUser } from './resources.js';

/** A user as search and the deleted-users list show them: `active` is false once deleted. */
const listedUser = zendeskUser.extend({ active: z.boolean().default(true) });
type ListedUser = z.output<typeof listedUser>;

/** One page of GET /deleted_users (node-zendesk hands back whole pages for unknown resources). */
const deletedUsersPage = z.looseObject({ deleted_users: z.array(listedUser).default([]) });

const sameEmail = (user: ListedUser, email: string) =>
  user.email?.toLowerCase() === email.toLowerCase();

/** A 404 on a delete: an earlier attempt (or an agent) got there first, which is the goal. */
async function tolerateGone(request: () => Promise<unknown>): Promise<void> {
  try {
    await request();
  } catch (error) {
    if (!(error instanceof ConnectorError) || error.code !== 'not_found') throw error;
  }
}

/**
 * Users an earlier attempt deleted but did not erase (its permanent delete failed or its answer
 * was lost): search no longer shows them, GET /deleted_users does, with their email until the
 * permanent delete. That list holds every deleted user of the account, so it is read only when
 * search finds nobody.
 */
async function deletedNotErased(
  api: ZendeskApi,
  email: string,
  action: string,
): Promise<ListedUser[]> {
  const pages = await api.all(action, deletedUsersPage, (client) =>
    client.users.requestAll('GET', ['deleted_users', { page: { size: 100 } }]),
  );
  return pages
    .flatMap((page) => page.deleted_users)
    .filter((user) => sameEmail(user, email))
    .map((user) => ({ ...user, active: false }));
}

/**
 * Erases the end user with this email the way Zendesk's API reference prescribes for GDPR:
 * Delete User (DELETE /users/{id}, a soft delete), then Permanently Delete User
 * (DELETE /deleted_users/{id}). Safe to retry from any point: a user already soft-deleted is
 * found in the deleted-users list, and a 404 on either delete means it is already done.
 *
 * Staff are never erased this way: an agent's or admin's address is refused before anything is
 * deleted. Tickets the user requested are not deleted here.
 */
export async function eraseEndUser(api: ZendeskApi, email: string): Promise<{ deleted: boolean }> {
  const action = 'user erasure';
  // GET /users/search?query=email:<address>. Search also matches secondary identities and
  // partial values, so only users whose primary email is this address count.
  const searched = await api.all(action, listedUser, (client) =>
    client.users.search({ query: `email:${email}` }),
  );
  const found = searched.filter((user) => sameEmail(user, email));
  const users = found.length > 0 ? found : await deletedNotErased(api, email, action);

  const staff = users.find((user) => user.role !== 'end-user');
  if (staff)
    // No address in the message: it reaches logs and workflow history.
    throw new ConnectorError(
      'invalid',
      `Zendesk ${action}: user ${staff.id} is an ${staff.role === 'admin' ? 'admin' : 'agent'}; townhall erases end users only`,
      { vendor: 'zendesk' },
    );

  for (const user of users) {
    if (user.active)
      await tolerateGone(() =>
        api.one(action, z.unknown(), (client) => client.users.delete(user.id)),
      );
    await tolerateGone(() =>
      api.one(action, z.unknown(), (client) =>
        client.users.request('DELETE', `deleted_users/${user.id}`),
      ),
    );
  }
  return { deleted: users.length > 0 };
}
