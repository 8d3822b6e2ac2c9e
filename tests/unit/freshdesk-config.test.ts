import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { configJsonSchema } from '../../config/json-schema.js';
import { parseConfig } from '../../config/load.js';
import { apiUrl, portalUrl } from '../../connectors/freshdesk/config.js';

const yaml = (section: string) => `connectors:\n  freshdesk: ${section}\nworkflows: {}\n`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'test.yaml', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('connectors.freshdesk', () => {
  it('accepts a domain and an API key, and fills the field name and tags', () => {
    const config = parseConfig(
      yaml('{ domain: acme.freshdesk.com, apiKey: "${FD_KEY}", webhookSecret: s }'),
      'test.yaml',
      { FD_KEY: 'key' },
    );
    const section = config.connectors.freshdesk!;
    expect(section).toEqual({
      domain: 'acme.freshdesk.com',
      apiKey: 'key',
      webhookSecret: 's',
      externalIdField: 'cf_townhall_external_id',
      tags: [],
    });
    expect(apiUrl(section)).toBe('https://acme.freshdesk.com/api/v2');
    expect(portalUrl(section, 12)).toBe('https://acme.freshdesk.com/support/tickets/12');
  });

  it('says what is wrong with a bad section', () => {
    expect(problems(yaml('{ apiKey: k, webhookSecret: s }'))).toEqual([
      expect.stringMatching(/^connectors\.freshdesk\.domain: set domain/),
    ]);
    expect(
      problems(yaml('{ domain: https://acme.freshdesk.com, apiKey: k, webhookSecret: s }')),
    ).toEqual([
      expect.stringMatching(/^connectors\.freshdesk\.domain: expected the helpdesk host/),
    ]);
    expect(
      problems(
        yaml('{ domain: acme.freshdesk.com, apiKey: k, webhookSecret: s, externalIdField: ref }'),
      ),
    ).toEqual([expect.stringMatching(/^connectors\.freshdesk\.externalIdField: expected the API/)]);
  });

  it('is in the JSON Schema editors read', () => {
    const schema = JSON.stringify(configJsonSchema());
    expect(schema).toContain('externalIdField');
    expect(schema).toContain('X-Townhall-Secret');
  });
});
