import { describe, expect, it } from 'vitest';
import { zendeskInbound } from '../../connectors/zendesk/inbound.js';
import { signZendeskWebhook, verifyZendeskSignature } from '../../connectors/zendesk/signature.js';

const secret = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';
const timestamp = '2025-01-08T16:45:21Z';
const signedAt = new Date('2025-01-08T16:45:21Z');
const rawBody = Buffer.from('{"type":"zen:event-type:ticket.status_changed","id":"a8b9c1d2"}');

const verify = (
  body: Buffer,
  signature: string | undefined,
  options: { at?: Date; stamp?: string | undefined; key?: string } = {},
) =>
  verifyZendeskSignature(
    options.key ?? secret,
    'stamp' in options ? options.stamp : timestamp,
    signature,
    body,
    options.at ?? signedAt,
  );

describe('Zendesk webhook signatures: base64(HMAC-SHA256(secret, timestamp + raw body))', () => {
  it('matches a vector computed independently (openssl dgst -sha256 -hmac ... -binary | base64)', () => {
    expect(signZendeskWebhook(secret, timestamp, rawBody)).toBe(
      'Re2+z52MPMTWmQ2GjPiA1fJbcM3nUGG5OEmOvA5OuwQ=',
    );
  });

  it('accepts a fresh signature over the exact bytes, within five minutes either way', () => {
    const signature = signZendeskWebhook(secret, timestamp, rawBody);
    expect(verify(rawBody, signature)).toBe(true);
    expect(verify(rawBody, signature, { at: new Date(signedAt.getTime() + 299_000) })).toBe(true);
    expect(verify(rawBody, signature, { at: new Date(signedAt.getTime() - 299_000) })).toBe(true);
  });

  it('rejects stale and future timestamps, even correctly signed', () => {
    const signature = signZendeskWebhook(secret, timestamp, rawBody);
    expect(verify(rawBody, signature, { at: new Date(signedAt.getTime() + 301_000) })).toBe(false);
    expect(verify(rawBody, signature, { at: new Date(signedAt.getTime() - 301_000) })).toBe(false);
  });

  it('rejects another secret, a tampered body, a re-serialized body and a moved timestamp', () => {
    const signature = signZendeskWebhook(secret, timestamp, rawBody);
    expect(verify(rawBody, signZendeskWebhook('forged', timestamp, rawBody))).toBe(false);
    expect(verify(Buffer.from(rawBody.toString().replace('a8b9', 'ffff')), signature)).toBe(false);
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(rawBody.toString()), null, 1));
    expect(verify(reserialized, signature)).toBe(false);
    // The timestamp is signed: a replay cannot be freshened by rewriting the header.
    const later = '2025-01-08T16:47:00Z';
    expect(verify(rawBody, signature, { stamp: later, at: new Date(later) })).toBe(false);
  });

  it('rejects missing, unparseable and malformed signatures and timestamps', () => {
    const signature = signZendeskWebhook(secret, timestamp, rawBody);
    expect(verify(rawBody, undefined)).toBe(false);
    expect(verify(rawBody, '')).toBe(false);
    expect(verify(rawBody, signature, { stamp: undefined })).toBe(false);
    expect(verify(rawBody, signature, { stamp: 'not a time' })).toBe(false);
    expect(verify(rawBody, signature.slice(0, -1))).toBe(false);
    expect(verify(rawBody, `${signature}=`)).toBe(false);
    const hex = Buffer.from(signature, 'base64').toString('hex');
    expect(verify(rawBody, hex)).toBe(false);
  });

  it('is what the inbound connector checks, reading the two headers', () => {
    const config = {
      baseUrl: 'https://support.example.com',
      email: 'a@example.com',
      apiToken: 't',
      webhookSecret: secret,
      ticketDefaults: { tags: [] },
    };
    const headers = {
      'x-zendesk-webhook-signature': signZendeskWebhook(secret, timestamp, rawBody),
      'x-zendesk-webhook-signature-timestamp': timestamp,
    };
    expect(zendeskInbound.verify({ rawBody, headers }, config, signedAt)).toBe(true);
    expect(
      zendeskInbound.verify({ rawBody, headers }, { ...config, webhookSecret: 'other' }, signedAt),
    ).toBe(false);
    expect(zendeskInbound.verify({ rawBody, headers: {} }, config, signedAt)).toBe(false);
  });
});
