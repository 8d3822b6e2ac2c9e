import { describe, expect, it } from 'vitest';
import { discordInteractions } from '../../connectors/discord/inbound.js';
import { signDiscordRequest } from '../../connectors/discord/signature.js';
import { app, config, keyPair } from '../support/discord-interactions.js';

const attacker = keyPair();

const NOW = new Date('2026-11-24T12:00:00Z');
const nowSeconds = () => String(Math.floor(NOW.getTime() / 1000));

function signed(body: string, options: { key?: typeof app; timestamp?: string } = {}) {
  const timestamp = options.timestamp ?? nowSeconds();
  const rawBody = Buffer.from(body);
  return {
    rawBody,
    headers: {
      'x-signature-ed25519': signDiscordRequest(
        (options.key ?? app).privateKey,
        timestamp,
        rawBody,
      ),
      'x-signature-timestamp': timestamp,
    },
  };
}

const verify = (request: ReturnType<typeof signed>) =>
  discordInteractions.verify(request, config, NOW);

describe('Discord interaction signatures (Ed25519 over timestamp + raw body)', () => {
  const body = '{"type":1,"id":"1310262360587694151","application_id":"1213093380096000002"}';

  it('accepts a request signed with the application key', () => {
    expect(verify(signed(body))).toBe(true);
  });

  it.each([
    ['signed with another key', () => signed(body, { key: attacker })],
    [
      'stale (six minutes old)',
      () => signed(body, { timestamp: String(Number(nowSeconds()) - 360) }),
    ],
    [
      'from the future (six minutes ahead)',
      () => signed(body, { timestamp: String(Number(nowSeconds()) + 360) }),
    ],
    [
      're-serialized (same JSON, different bytes)',
      () => {
        const request = signed(JSON.stringify(JSON.parse(body), null, 2));
        return { ...request, rawBody: Buffer.from(body) };
      },
    ],
    [
      'with the timestamp header changed after signing',
      () => {
        const request = signed(body);
        return {
          ...request,
          headers: {
            ...request.headers,
            'x-signature-timestamp': String(Number(nowSeconds()) - 1),
          },
        };
      },
    ],
    [
      'with a signature that is not hex',
      () => {
        const request = signed(body);
        return {
          ...request,
          headers: { ...request.headers, 'x-signature-ed25519': 'zz'.repeat(64) },
        };
      },
    ],
    ['without headers', () => ({ rawBody: Buffer.from(body), headers: {} })],
  ])('rejects a request %s', (_name, build) => {
    expect(verify(build() as ReturnType<typeof signed>)).toBe(false);
  });
});
