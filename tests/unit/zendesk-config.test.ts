import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { configJsonSchema } from '../../config/json-schema.js';
import { parseConfig } from '../../config/load.js';
import { accountUrl } from '../../connectors/zendesk/config.js';

const yaml = (zendesk: string) => `
connectors:
  zendesk:
${zendesk
  .trim()
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}
workflows: {}
`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'test.yaml', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('connectors.zendesk', () => {
  it('accepts a subdomain with API token credentials and fills the ticket defaults', () => {
    const config = parseConfig(
      yaml(`
subdomain: acme
email: townhall@acme.com
apiToken: \${ZENDESK_API_TOKEN}
webhookSecret: \${ZENDESK_WEBHOOK_SECRET}
`),
      'test.yaml',
      { ZENDESK_API_TOKEN: 'token', ZENDESK_WEBHOOK_SECRET: 'secret' },
    );
    expect(config.connectors.zendesk).toEqual({
      subdomain: 'acme',
      email: 'townhall@acme.com',
      apiToken: 'token',
      webhookSecret: 'secret',
      ticketDefaults: { tags: [] },
    });
    expect(accountUrl(config.connectors.zendesk!)).toBe('https://acme.zendesk.com');
  });

  it('takes a baseUrl instead (a host mapping, the sandbox), and ticket defaults', () => {
    const config = parseConfig(
      yaml(`
baseUrl: http://127.0.0.1:4010/
email: townhall@acme.com
apiToken: t
webhookSecret: s
ticketDefaults: { tags: [community], priority: high }
`),
      'test.yaml',
      {},
    );
    expect(config.connectors.zendesk?.ticketDefaults).toEqual({
      tags: ['community'],
      priority: 'high',
    });
    expect(accountUrl(config.connectors.zendesk!)).toBe('http://127.0.0.1:4010');
  });

  it('says what is wrong, with the path of each bad field', () => {
    expect(
      problems(
        yaml(`
email: not-an-email
apiToken: ''
webhookSecret: s
ticketDefaults: { priority: asap }
`),
      ),
    ).toEqual([
      expect.stringMatching(/^connectors\.zendesk\.email: /),
      expect.stringMatching(/^connectors\.zendesk\.apiToken: /),
      expect.stringMatching(/^connectors\.zendesk\.ticketDefaults\.priority: /),
    ]);
    expect(problems(yaml('email: a@acme.com\napiToken: t\nwebhookSecret: s'))).toEqual([
      'connectors.zendesk.subdomain: set subdomain (acme for acme.zendesk.com) or baseUrl',
    ]);
    expect(
      problems(
        yaml(
          'subdomain: https://acme.zendesk.com\nemail: a@acme.com\napiToken: t\nwebhookSecret: s',
        ),
      ),
    ).toEqual([
      'connectors.zendesk.subdomain: expected the subdomain alone, e.g. acme for acme.zendesk.com',
    ]);
  });

  it('describes every field in the JSON Schema, for editors', () => {
    const schema = JSON.stringify(configJsonSchema());
    expect(schema).toContain('Your account: acme for https://acme.zendesk.com');
    expect(schema).toContain('Signing secret of the webhook that sends ticket events');
  });
});
