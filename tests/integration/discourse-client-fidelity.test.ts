import { Ajv2020 } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DISCOURSE_SPEC } from '../../sandbox/discourse/spec.js';
import {
  api,
  API_KEY,
  fault,
  inspect,
  sandbox,
  useDiscourseEmulator,
} from '../support/discourse-client.js';

/** The forum emulator answers as Discourse does: its checks, errors, limits and shapes. */

useDiscourseEmulator();

describe('Discourse emulator fidelity', () => {
  it('rejects a request body the OpenAPI description forbids, as Discourse does (400)', async () => {
    const wrongType = await api('POST', '/posts.json', { topic_id: 'ten', raw: 'x'.repeat(30) });
    expect(wrongType).toEqual({
      status: 400,
      body: {
        errors: [expect.stringContaining('topic_id must be integer')],
        error_type: 'invalid_parameters',
      },
    });
    const unknownField = await api('POST', '/posts.json', {
      raw: 'x'.repeat(30),
      title: 'A title long enough',
      tags: 'x',
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors).toEqual([expect.stringContaining('(tags)')]);
    const missingRaw = await api('POST', '/posts.json', { title: 'A title long enough' });
    expect(missingRaw.body.errors).toEqual([expect.stringContaining("required property 'raw'")]);
    const usernamesAsArray = await api('PUT', '/groups/41/members.json', { usernames: ['ada'] });
    expect(usernamesAsArray.status).toBe(400);
    expect(await inspect('messages')).toEqual([]);
  });

  it('answers a wrong key with Discourse’s 403 body', async () => {
    expect(await api('GET', '/u/system.json', undefined, 'nope')).toEqual({
      status: 403,
      body: {
        errors: ['You are not permitted to view the requested resource.'],
        error_type: 'invalid_access',
      },
    });
  });

  it('sends the rate-limit body with Retry-After and extras.wait_seconds', async () => {
    await fault({ status: 429, retryAfterSeconds: 12 });
    const response = await fetch(`${sandbox.url}/u/system.json`, {
      headers: { 'Api-Key': API_KEY, 'Api-Username': 'system' },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('12');
    expect(await response.json()).toMatchObject({
      error_type: 'rate_limit',
      extras: { wait_seconds: 12 },
    });
  });

  it('answers POST /posts.json with the fields the OpenAPI description requires', async () => {
    const spec = JSON.parse(readFileSync(DEFAULT_DISCOURSE_SPEC, 'utf8')) as {
      paths: Record<
        string,
        Record<
          string,
          { responses: Record<string, { content: Record<string, { schema: object }> }> }
        >
      >;
    };
    const schema =
      spec.paths['/posts.json']!.post!.responses['200']!.content['application/json']!.schema;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    const created = await api('POST', '/posts.json', {
      title: 'A topic from the fidelity test',
      raw: 'A body that is long enough for Discourse.',
    });
    expect(created.status).toBe(200);
    expect(validate(created.body), JSON.stringify(validate.errors)).toBe(true);
  });

  it('does not let Discourse faults touch other vendors', async () => {
    await fault({ status: 503 });
    const hubspot = await fetch(`${sandbox.url}/crm/v3/objects/contacts/1`);
    expect(hubspot.status).toBe(401);
    expect((await api('GET', '/u/system.json')).status).toBe(503);
  });
});
