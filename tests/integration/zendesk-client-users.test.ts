import { describe, expect, it } from 'vitest';
import { api, useZendeskSandbox, zendesk } from '../support/zendesk-client.js';

/** Users created or updated by email and by external id, through the connector and the raw API. */

useZendeskSandbox();

describe('Zendesk connector (node-zendesk) against the emulator', () => {
  it('creates or updates a user by email, and by external id', async () => {
    const first = await zendesk.upsertUser({ name: 'Ada', email: 'Ada@Example.com' });
    expect(first).toMatchObject({
      created: true,
      user: { name: 'Ada', email: 'ada@example.com', role: 'end-user', externalId: null },
    });
    const again = await zendesk.upsertUser({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      externalId: 'member-1',
    });
    expect(again).toEqual({
      created: false,
      user: { ...first.user, name: 'Ada Lovelace', externalId: 'member-1' },
    });
    const byExternalId = await zendesk.upsertUser({ name: 'Ada L.', externalId: 'member-1' });
    expect(byExternalId).toMatchObject({ created: false, user: { id: first.user.id } });
    const other = await zendesk.upsertUser({ name: 'Grace', externalId: 'member-2' });
    expect(other.created).toBe(true);
    expect(other.user.id).not.toBe(first.user.id);

    expect(await zendesk.upsertUser({ name: 'Nobody' }).catch((e: unknown) => e)).toMatchObject({
      code: 'invalid',
      retryable: false,
    });
  });
});

describe('Zendesk emulator fidelity (shapes from the Support API reference)', () => {
  it('answers create_or_update with 201 for a new user and 200 for an existing one', async () => {
    const created = await api('POST', '/users/create_or_update.json', {
      user: { name: 'Roger Wilco', email: 'roge@example.org' },
    });
    expect(created).toMatchObject({
      status: 201,
      body: { user: { name: 'Roger Wilco', email: 'roge@example.org', role: 'end-user' } },
    });
    const updated = await api('POST', '/users/create_or_update.json', {
      user: { name: 'Roger Wilco II', email: 'roge@example.org' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.user).toMatchObject({
      id: (created.body.user as { id: number }).id,
      name: 'Roger Wilco II',
    });
    const search = await api('GET', '/users/search.json?query=roge%40example.org');
    expect(search.body).toMatchObject({ users: [{ email: 'roge@example.org' }], count: 1 });
  });
});
