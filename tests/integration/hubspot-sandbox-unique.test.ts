import { describe, expect, it } from 'vitest';
import { SANDBOX_PORTAL_ID } from '../../sandbox/hubspot/index.js';
import { api, ERROR_BODY, post, sandbox, useHubSpotSandbox } from '../support/hubspot.js';

/**
 * The emulator's unique properties, as HubSpot's CRM v3 API has them: upserts keyed by any
 * property defined with hasUniqueValue, one contact per unique value on every write, the
 * Properties API's rules for them, and merges.
 */

useHubSpotSandbox();

const UPSERT = '/crm/v3/objects/contacts/batch/upsert';
const defineUnique = (name: string, extra: Record<string, unknown> = {}) =>
  api('POST', '/crm/v3/properties/contacts', {
    name,
    label: name,
    type: 'string',
    fieldType: 'text',
    groupName: 'contactinformation',
    hasUniqueValue: true,
    ...extra,
  });
const create = async (properties: Record<string, string>) =>
  ((await (await api('POST', '/crm/v3/objects/contacts', { properties })).json()) as { id: string })
    .id;
const json = async (response: Response) => (await response.json()) as Record<string, unknown>;

describe('upsert by a unique property', () => {
  it('keys on any property defined with unique values, and refuses any other', async () => {
    expect((await defineUnique('external_id')).status).toBe(201);
    const input = { idProperty: 'external_id', id: 'X-1', properties: { firstname: 'Ada' } };
    const first = await api('POST', UPSERT, { inputs: [input] });
    expect(first.status).toBe(200);
    const made = (await json(first)).results as { id: string; new: boolean; properties: object }[];
    expect(made[0]).toMatchObject({
      new: true,
      properties: { external_id: 'X-1', firstname: 'Ada' },
    });
    const again = await api('POST', UPSERT, {
      inputs: [{ ...input, properties: { lastname: 'Lovelace' } }],
    });
    expect((await json(again)).results).toEqual([
      expect.objectContaining({ id: made[0]!.id, new: false }),
    ]);
    expect(sandbox.emulators.hubspot.list()).toHaveLength(1);

    for (const idProperty of ['firstname', 'shoe_size']) {
      const refused = await api('POST', UPSERT, { inputs: [{ ...input, idProperty }] });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({
        ...ERROR_BODY,
        category: 'VALIDATION_ERROR',
        message: `Unable to perform update/upsert by non-unique 0-1 property ${idProperty} in portal ID ${SANDBOX_PORTAL_ID}`,
      });
    }
    const { idProperty: _, ...unkeyed } = input;
    expect((await api('POST', UPSERT, { inputs: [unkeyed] })).status).toBe(400);
  });

  it('refuses a value another contact has, input by input, in a 207', async () => {
    await defineUnique('external_id');
    await create({ email: 'a@example.com', external_id: 'A' });
    const response = await api('POST', UPSERT, {
      inputs: [
        { idProperty: 'email', id: 'b@example.com', properties: { external_id: 'A' } },
        { idProperty: 'external_id', id: 'C', properties: { email: 'a@example.com' } },
        { idProperty: 'email', id: 'd@example.com', properties: { external_id: 'D' } },
        { idProperty: 'email', id: 'e@example.com', properties: { external_id: 'D' } },
      ],
    });
    expect(response.status).toBe(207);
    const body = (await response.json()) as {
      results: unknown[];
      errors: Record<string, unknown>[];
    };
    expect(body.results).toHaveLength(1);
    expect(body.errors).toEqual([
      expect.objectContaining({
        category: 'VALIDATION_ERROR',
        context: { ids: ['b@example.com'] },
        errors: [expect.objectContaining({ code: 'VALUE_NOT_UNIQUE', in: 'external_id' })],
      }),
      expect.objectContaining({
        category: 'OBJECT_ALREADY_EXISTS',
        message: expect.stringMatching(/^Contact already exists\. Existing ID: \d+$/),
        context: { ids: ['C'] },
        errors: [expect.objectContaining({ code: 'CONTACT_EXISTS', in: 'email' })],
      }),
      // Two inputs of one batch with one value: the first is written, the second refused.
      expect.objectContaining({
        category: 'VALIDATION_ERROR',
        context: { ids: ['e@example.com'] },
      }),
    ]);
    expect(sandbox.emulators.hubspot.list()).toHaveLength(2);
  });
});

describe('one contact per unique value on single writes', () => {
  it('400 for a unique value taken, 409 for an email taken; a contact keeps its own', async () => {
    await defineUnique('external_id');
    const a = await create({ email: 'a@example.com', external_id: 'A' });
    const b = await create({ email: 'b@example.com' });

    const taken = await api('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'c@example.com', external_id: 'A' },
    });
    expect(taken.status).toBe(400);
    const body = (await taken.json()) as { message: string; errors: unknown[] };
    expect(body).toMatchObject({ ...ERROR_BODY, category: 'VALIDATION_ERROR' });
    expect(body.message).toMatch(/^Property values were not valid: /);
    expect(body.errors).toEqual([
      expect.objectContaining({ code: 'VALUE_NOT_UNIQUE', in: 'external_id' }),
    ]);

    const patch = (id: string, properties: Record<string, string>) =>
      api('PATCH', `/crm/v3/objects/contacts/${id}`, { properties });
    expect((await patch(b, { external_id: 'A' })).status).toBe(400);
    const email = await patch(b, { email: 'a@example.com' });
    expect(email.status).toBe(409);
    expect(await email.json()).toEqual({
      ...ERROR_BODY,
      category: 'CONFLICT',
      message: `Contact already exists. Existing ID: ${a}`,
    });
    expect((await patch(a, { external_id: 'A', email: 'a@example.com' })).status).toBe(200);
    expect((await patch(b, { external_id: 'B' })).status).toBe(200);
  });
});

describe('unique properties in the Properties API', () => {
  it('only new string or number properties, at most 10; options replaced by an update', async () => {
    expect(
      (await defineUnique('flag', { type: 'bool', fieldType: 'booleancheckbox' })).status,
    ).toBe(400);
    for (let i = 0; i < 10; i++) expect((await defineUnique(`key_${i}`)).status).toBe(201);
    const eleventh = await defineUnique('key_10');
    expect(eleventh.status).toBe(400);
    expect(await eleventh.json()).toMatchObject({ category: 'VALIDATION_ERROR' });

    await api('POST', '/crm/v3/properties/contacts', {
      name: 'plain',
      label: 'Plain',
      type: 'enumeration',
      fieldType: 'checkbox',
      groupName: 'contactinformation',
      options: [{ label: 'A', value: 'a' }],
    });
    const making = await api('PATCH', '/crm/v3/properties/contacts/plain', {
      hasUniqueValue: true,
    });
    expect(making.status).toBe(400);
    const updated = await api('PATCH', '/crm/v3/properties/contacts/plain', {
      options: [
        { label: 'A', value: 'a', hidden: false },
        { label: 'B', value: 'b', hidden: false },
      ],
    });
    expect(updated.status).toBe(200);
    expect(((await updated.json()) as { options: { value: string }[] }).options).toEqual([
      { label: 'A', value: 'a', displayOrder: 0, hidden: false },
      { label: 'B', value: 'b', displayOrder: 1, hidden: false },
    ]);
    expect((await api('PATCH', '/crm/v3/properties/contacts/email', { label: 'E' })).status).toBe(
      400,
    );
    expect((await api('PATCH', '/crm/v3/properties/contacts/nope', { label: 'N' })).status).toBe(
      404,
    );
  });
});

describe('merges', () => {
  it('the primary keeps its values and takes the others; the merged id resolves to it', async () => {
    await defineUnique('external_id');
    const primary = await create({ email: 'p@example.com', external_id: 'P' });
    const merged = await create({
      email: 's@example.com',
      external_id: 'S',
      firstname: 'Sam',
      lastname: 'Secondary',
    });
    const response = await api('POST', '/crm/v3/objects/contacts/merge', {
      primaryObjectId: primary,
      objectIdToMerge: merged,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: primary,
      properties: { email: 'p@example.com', firstname: 'Sam', lastname: 'Secondary' },
    });
    const contacts = sandbox.emulators.hubspot.list();
    expect(contacts.map((c) => c.id)).toEqual([primary]);
    expect(contacts[0]?.properties).toMatchObject({
      external_id: 'P',
      hs_merged_object_ids: merged,
    });
    const byOldId = await api('GET', `/crm/v3/objects/contacts/${merged}`);
    expect(await byOldId.json()).toMatchObject({ id: primary });
    // The merged contact's unique value is free again.
    expect(
      (
        await api('PATCH', `/crm/v3/objects/contacts/${primary}`, {
          properties: { external_id: 'S' },
        })
      ).status,
    ).toBe(200);

    const third = await create({ email: 't@example.com' });
    const agent = await post(`/_sandbox/hubspot/contacts/${third}/merge`, {
      objectIdToMerge: primary,
    });
    expect(agent.status).toBe(200);
    expect(sandbox.emulators.hubspot.list().map((c) => c.id)).toEqual([third]);
    expect(
      (await post(`/_sandbox/hubspot/contacts/${third}/merge`, { objectIdToMerge: third })).status,
    ).toBe(400);
    expect(
      (await post(`/_sandbox/hubspot/contacts/${third}/merge`, { objectIdToMerge: '999999' }))
        .status,
    ).toBe(404);
  });
});
