import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/load.js';
import { intercomConfigSchema } from '../../connectors/intercom/config.js';

const file = (intercom: string) => `
connectors:
  intercom:
${intercom}
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

describe('connectors.intercom', () => {
  it('takes numeric ids as YAML writes them, and defaults to creating tickets', () => {
    const config = parseConfig(
      file(
        '    accessToken: tok\n    clientSecret: sec\n    ticketTypeId: 12\n    adminId: 991267900',
      ),
      'test.yaml',
      {},
    );
    expect(config.connectors.intercom).toEqual({
      accessToken: 'tok',
      clientSecret: 'sec',
      create: 'ticket',
      ticketTypeId: '12',
      adminId: '991267900',
    });
    // The connector's own schema reads the same object the same way.
    expect(intercomConfigSchema.parse(config.connectors.intercom)).toEqual(
      config.connectors.intercom,
    );
  });

  it('needs a ticket type to create tickets, but not to create conversations', () => {
    expect(problems(file('    accessToken: tok\n    clientSecret: sec\n    adminId: 1'))).toEqual([
      'connectors.intercom.ticketTypeId: needed when create is "ticket" (GET /ticket_types lists the ids)',
    ]);
    const config = parseConfig(
      file('    accessToken: tok\n    clientSecret: sec\n    adminId: 1\n    create: conversation'),
      'test.yaml',
      {},
    );
    expect(config.connectors.intercom?.create).toBe('conversation');
  });

  it('names what is missing or unknown', () => {
    expect(
      problems(file('    accessToken: tok\n    ticketTypeId: 1\n    adminId: 1\n    region: eu')),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^connectors\.intercom\.clientSecret: /),
        expect.stringMatching(/^connectors\.intercom\.region: unknown field/),
      ]),
    );
  });
});
