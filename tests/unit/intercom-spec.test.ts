import { describe, expect, it } from 'vitest';
import { loadIntercomSpec } from '../../sandbox/intercom/spec.js';

const spec = loadIntercomSpec();

describe('the Intercom 2.14 description as the emulator reads it', () => {
  it('knows the operations the connector uses and the API versions', () => {
    for (const [method, path] of [
      ['post', '/contacts'],
      ['post', '/contacts/search'],
      ['get', '/ticket_types/{ticket_type_id}'],
      ['post', '/ticket_types/{ticket_type_id}/attributes'],
      ['post', '/tickets'],
      ['post', '/tickets/search'],
      ['get', '/tickets/{ticket_id}'],
      ['put', '/tickets/{ticket_id}'],
      ['post', '/tickets/{ticket_id}/reply'],
      ['post', '/conversations'],
      ['post', '/conversations/search'],
      ['post', '/conversations/{conversation_id}/reply'],
    ] as const)
      expect(spec.has(method, path)).toBe(true);
    expect(spec.has('post', '/tickets/{ticket_id}')).toBe(false);
    expect(spec.versions).toContain('2.14');
    expect(spec.versions).not.toContain('3.0');
  });

  it('turns OpenAPI nullable into JSON Schema: null where allowed, other types still refused', () => {
    expect(spec.check('post', '/contacts', { email: 'a@b.co', name: null })).toEqual([]);
    expect(spec.check('post', '/contacts', { email: 'a@b.co', name: 5 })).toEqual([
      { kind: 'invalid', message: 'name must be string,null' },
    ]);
    expect(spec.check('post', '/contacts', { name: 'No identifier' })).toEqual(
      expect.arrayContaining([
        { kind: 'missing', message: "body must have required property 'email'" },
      ]),
    );
  });

  it('resolves $ref into components (search queries, nested AND/OR)', () => {
    const query = {
      operator: 'AND',
      value: [
        { field: 'ticket_type_id', operator: '=', value: '1' },
        { field: 'ticket_attribute.201', operator: '=', value: 'th01' },
      ],
    };
    expect(spec.check('post', '/tickets/search', { query })).toEqual([]);
    expect(
      spec.check('post', '/tickets/search', { query: { ...query, operator: 'XOR' } }),
    ).not.toEqual([]);
    expect(spec.check('post', '/tickets/search', {})).toEqual([
      { kind: 'missing', message: "body must have required property 'query'" },
    ]);
  });

  it('tells an admin reply from a contact reply (oneOf) and requires admin_id', () => {
    const reply = { message_type: 'comment', type: 'admin', admin_id: '1', body: 'Hi' };
    expect(spec.check('post', '/tickets/{ticket_id}/reply', reply)).toEqual([]);
    const { admin_id: _none, ...anonymous } = reply;
    expect(spec.check('post', '/tickets/{ticket_id}/reply', anonymous)).toContainEqual({
      kind: 'missing',
      message: "body must have required property 'admin_id'",
    });
  });

  it('accepts Intercom’s 24-hex contact ids where the description says uuid', () => {
    const from = (id: string) => ({ from: { type: 'user', id }, body: 'Hello' });
    expect(spec.check('post', '/conversations', from('6762f2d81bb69f9f2193bc54'))).toEqual([]);
    expect(spec.check('post', '/conversations', from('not-an-id'))).not.toEqual([]);
  });
});
