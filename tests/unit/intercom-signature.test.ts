import { describe, expect, it } from 'vitest';
import { intercomInbound } from '../../connectors/intercom/inbound.js';
import { signIntercomBody } from '../../connectors/intercom/signature.js';

const config = {
  accessToken: 't',
  clientSecret: 'test-client-secret',
  create: 'ticket' as const,
  ticketTypeId: '1',
  adminId: '1',
};
// Spaced as JSON.stringify would not: a re-serialized copy differs byte for byte.
const rawBody = Buffer.from('{"type": "notification_event", "topic": "ping"}');

const verify = (
  body: Buffer,
  signature: string | string[] | undefined,
  secret = config.clientSecret,
) =>
  intercomInbound.verify(
    { rawBody: body, headers: signature === undefined ? {} : { 'x-hub-signature': signature } },
    { ...config, clientSecret: secret },
  );

describe('Intercom webhook signatures (X-Hub-Signature: sha1 HMAC of the raw body)', () => {
  it('is HMAC-SHA1 in lowercase hex after "sha1=" (the RFC 2104 / Wikipedia vector)', () => {
    expect(
      signIntercomBody('key', Buffer.from('The quick brown fox jumps over the lazy dog')),
    ).toBe('sha1=de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9');
  });

  it('accepts a body signed with the client secret', () => {
    expect(verify(rawBody, signIntercomBody(config.clientSecret, rawBody))).toBe(true);
    // Node joins repeated headers into an array only for some names; take the first.
    expect(verify(rawBody, [signIntercomBody(config.clientSecret, rawBody)])).toBe(true);
  });

  it('rejects another secret, a tampered or re-serialized body, and no signature', () => {
    const good = signIntercomBody(config.clientSecret, rawBody);
    expect(verify(rawBody, signIntercomBody('forged', rawBody))).toBe(false);
    expect(verify(Buffer.from(rawBody.toString().replace('ping', 'pong')), good)).toBe(false);
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(rawBody.toString())));
    expect(verify(reserialized, good)).toBe(false);
    expect(verify(rawBody, undefined)).toBe(false);
    expect(verify(rawBody, '')).toBe(false);
  });

  it('rejects the right digest in the wrong form (case, scheme, truncation)', () => {
    const good = signIntercomBody(config.clientSecret, rawBody);
    expect(verify(rawBody, good.toUpperCase())).toBe(false);
    expect(verify(rawBody, good.replace('sha1=', 'sha256='))).toBe(false);
    expect(verify(rawBody, good.slice('sha1='.length))).toBe(false);
    expect(verify(rawBody, good.slice(0, -2))).toBe(false);
  });
});
