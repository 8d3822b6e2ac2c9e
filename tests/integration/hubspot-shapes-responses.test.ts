import { describe, expect, it } from 'vitest';
import { api, ERROR_BODY, ISO, sandbox, useHubSpotSandbox } from '../support/hubspot.js';

/**
 * Pins what the emulator answers on the wire to HubSpot's API reference: batch and search
 * results, error bodies, rate-limit headers.
 */

useHubSpotSandbox();

describe('responses on the wire', () => {
  it('207 Multi-Status: results for the good inputs, StandardErrors naming the bad ones', async () => {
    const response = await api('POST', '/crm/v3/objects/contacts/batch/upsert', {
      inputs: [
        { idProperty: 'email', id: 'good@example.com', properties: { firstname: 'Good' } },
        { idProperty: 'email', id: 'bad-address', properties: {} },
      ],
    });
    expect(response.status).toBe(207);
    expect(await response.json()).toEqual({
      status: 'COMPLETE',
      results: [
        {
          id: expect.stringMatching(/^\d+$/),
          properties: expect.objectContaining({
            email: 'good@example.com',
            firstname: 'Good',
            hs_object_id: expect.any(String),
          }),
          createdAt: ISO,
          updatedAt: ISO,
          archived: false,
          new: true,
        },
      ],
      numErrors: 1,
      errors: [
        {
          status: 'error',
          category: 'VALIDATION_ERROR',
          message: expect.stringContaining('Property values were not valid'),
          context: { ids: ['bad-address'] },
          errors: [
            {
              message: expect.any(String),
              code: 'INVALID_EMAIL',
              in: 'email',
              context: { propertyName: ['email'] },
            },
          ],
          links: {},
        },
      ],
      startedAt: ISO,
      completedAt: ISO,
    });
  });

  it('batch read: 200 when all are found, 207 with OBJECT_NOT_FOUND and the missing ids', async () => {
    await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'x@example.com' } });
    const all = await api('POST', '/crm/v3/objects/contacts/batch/read', {
      inputs: [{ id: 'x@example.com' }],
      idProperty: 'email',
      properties: [],
      propertiesWithHistory: [],
    });
    expect(all.status).toBe(200);
    const body = (await all.json()) as { results: { properties: Record<string, unknown> }[] };
    expect(Object.keys(body).sort()).toEqual(['completedAt', 'results', 'startedAt', 'status']);
    // No properties named: HubSpot's default set.
    expect(Object.keys(body.results[0]!.properties).sort()).toEqual([
      'createdate',
      'email',
      'firstname',
      'hs_object_id',
      'lastmodifieddate',
      'lastname',
    ]);

    const some = await api('POST', '/crm/v3/objects/contacts/batch/read', {
      inputs: [{ id: 'x@example.com' }, { id: 'y@example.com' }],
      idProperty: 'email',
      properties: ['email'],
      propertiesWithHistory: [],
    });
    expect(some.status).toBe(207);
    expect(((await some.json()) as { errors: unknown[] }).errors).toEqual([
      expect.objectContaining({
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        context: { ids: ['y@example.com'] },
      }),
    ]);
  });

  it('search: total, results and paging.next.after while more remain', async () => {
    for (const n of [1, 2, 3])
      await api('POST', '/crm/v3/objects/contacts', { properties: { email: `p${n}@example.com` } });
    const first = await api('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'HAS_PROPERTY' }] }],
      properties: ['email'],
      limit: 2,
    });
    const page = (await first.json()) as Record<string, unknown>;
    expect(page).toEqual({
      total: 3,
      results: [
        expect.objectContaining({
          id: expect.any(String),
          properties: expect.objectContaining({ email: 'p1@example.com' }),
        }),
        expect.anything(),
      ],
      paging: { next: { after: '2', link: expect.any(String) } },
    });
    const last = await api('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'HAS_PROPERTY' }] }],
      limit: 2,
      after: '2',
    });
    expect(await last.json()).toEqual({
      total: 3,
      results: [expect.objectContaining({ id: expect.any(String) })],
    });

    const tooMany = await api('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: Array.from({ length: 6 }, () => ({
        filters: [{ propertyName: 'email', operator: 'HAS_PROPERTY' }],
      })),
    });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toEqual({ ...ERROR_BODY, category: 'VALIDATION_ERROR' });
  });

  it('error bodies: 401, 404, 409 (contact and property), 400 with the problems listed', async () => {
    const unauthorized = await api('GET', '/crm/v3/objects/contacts/1', undefined, 'wrong');
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual({
      ...ERROR_BODY,
      category: 'INVALID_AUTHENTICATION',
    });

    const missing = await api('GET', '/crm/v3/objects/contacts/424242');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ ...ERROR_BODY, category: 'OBJECT_NOT_FOUND' });

    await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'dup@example.com' } });
    const duplicate = await api('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'dup@example.com' },
    });
    expect(duplicate.status).toBe(409);
    expect(await duplicate.json()).toEqual({
      ...ERROR_BODY,
      category: 'CONFLICT',
      message: expect.stringMatching(/^Contact already exists\. Existing ID: \d+$/),
    });

    const property = {
      name: 'community_x',
      label: 'X',
      type: 'string',
      fieldType: 'text',
      groupName: 'contactinformation',
    };
    expect((await api('POST', '/crm/v3/properties/contacts', property)).status).toBe(201);
    const again = await api('POST', '/crm/v3/properties/contacts', property);
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ ...ERROR_BODY, category: 'OBJECT_ALREADY_EXISTS' });

    const invalid = await api('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'v@example.com', lifecyclestage: 'astronaut', shoe_size: '9' },
    });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { message: string; errors: { code: string }[] };
    expect(body).toMatchObject({ ...ERROR_BODY, category: 'VALIDATION_ERROR' });
    expect(body.message).toMatch(/^Property values were not valid: \[/);
    expect(JSON.parse(body.message.slice('Property values were not valid: '.length))).toEqual([
      expect.objectContaining({ isValid: false, error: 'INVALID_OPTION', name: 'lifecyclestage' }),
      expect.objectContaining({
        isValid: false,
        error: 'PROPERTY_DOESNT_EXIST',
        name: 'shoe_size',
      }),
    ]);
  });

  it('X-HubSpot-RateLimit-* headers on every CRM answer, and HubSpot’s 429 body', async () => {
    await fetch(`${sandbox.url}/_sandbox/hubspot/limits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ burst: { max: 3, intervalMs: 60_000 }, daily: { max: 1000 } }),
    });
    const answers = [
      await api('GET', '/crm/v3/properties/contacts'),
      await api('GET', '/crm/v3/objects/contacts/424242'),
      await api('POST', '/crm/v3/objects/contacts/batch/archive', { inputs: [{ id: '1' }] }),
      await api('GET', '/crm/v3/properties/contacts'),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 404, 204, 429]);
    answers.forEach((answer, i) => {
      expect(answer.headers.get('x-hubspot-ratelimit-max')).toBe('3');
      expect(answer.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('60000');
      expect(answer.headers.get('x-hubspot-ratelimit-remaining')).toBe(String(Math.max(0, 2 - i)));
      expect(answer.headers.get('x-hubspot-ratelimit-daily')).toBe('1000');
      expect(answer.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe(
        String(1000 - Math.min(3, i + 1)),
      );
    });
    expect(await answers[3]!.json()).toEqual({
      ...ERROR_BODY,
      category: 'RATE_LIMITS',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
    });

    // A 429 injected through /_sandbox/faults carries the headers too, and its Retry-After.
    await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'hubspot', status: 429, retryAfterSeconds: 2 }),
    });
    const fault = await api('GET', '/crm/v3/objects/contacts/1');
    expect(fault.status).toBe(429);
    expect(fault.headers.get('retry-after')).toBe('2');
    expect(fault.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('60000');
    expect(await fault.json()).toMatchObject({ ...ERROR_BODY, category: 'RATE_LIMITS' });
  });
});
