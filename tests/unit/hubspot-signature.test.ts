import { Signature } from '@hubspot/api-client';
import { describe, expect, it } from 'vitest';
import { hubspotInbound } from '../../connectors/hubspot/inbound.js';
import { hubspotConfigSchema } from '../../connectors/hubspot/config.js';
import { signHubSpotV3, verifyHubSpotV3 } from '../../connectors/hubspot/signature.js';

const secret = 'hubspot-client-secret';
const uri = 'https://townhall.example.com/webhooks/hubspot';
// Spaced as HubSpot does not: a re-serialized copy differs byte for byte.
const rawBody = Buffer.from('[ {"eventId": 1, "objectId": 2} ]');
const now = new Date('2026-11-24T12:00:00Z');
const timestamp = String(now.getTime() - 1_000);

const verify = (overrides: Partial<Parameters<typeof verifyHubSpotV3>[1]> = {}) =>
  verifyHubSpotV3(
    secret,
    {
      method: 'POST',
      uri,
      rawBody,
      timestamp,
      signature: signHubSpotV3(secret, { method: 'POST', uri, rawBody, timestamp }),
      ...overrides,
    },
    now,
  );

describe('HubSpot v3 signatures', () => {
  it('computes what the official client’s Signature.getSignature computes', () => {
    const expected = Signature.getSignature('POST', 'v3', {
      clientSecret: secret,
      requestBody: rawBody.toString(),
      url: uri,
      timestamp: Number(timestamp),
      signature: '', // unused by getSignature
    });
    expect(signHubSpotV3(secret, { method: 'POST', uri, rawBody, timestamp })).toBe(expected);
  });

  it('accepts a fresh signature over these bytes and this URI', () => {
    expect(verify()).toBe(true);
  });

  it('rejects another secret, another body, another URI, another method', () => {
    const forged = signHubSpotV3('forged', { method: 'POST', uri, rawBody, timestamp });
    expect(verify({ signature: forged })).toBe(false);
    expect(verify({ rawBody: Buffer.from(JSON.stringify(JSON.parse(rawBody.toString()))) })).toBe(
      false,
    );
    expect(verify({ uri: 'https://evil.example.com/webhooks/hubspot' })).toBe(false);
    expect(verify({ method: 'PUT' })).toBe(false);
  });

  it('rejects timestamps outside the 5-minute window, either way, and missing headers', () => {
    const at = (ms: number) => {
      const ts = String(now.getTime() + ms);
      return verify({
        timestamp: ts,
        signature: signHubSpotV3(secret, { method: 'POST', uri, rawBody, timestamp: ts }),
      });
    };
    expect(at(-299_000)).toBe(true);
    expect(at(-301_000)).toBe(false);
    expect(at(301_000)).toBe(false);
    expect(verify({ timestamp: undefined })).toBe(false);
    expect(verify({ signature: undefined })).toBe(false);
    expect(verify({ timestamp: 'yesterday' })).toBe(false);
  });

  it('rejects a signature padded with characters base64 decoding would skip', () => {
    const good = signHubSpotV3(secret, { method: 'POST', uri, rawBody, timestamp });
    expect(verify({ signature: `${good}!!` })).toBe(false);
    expect(verify({ signature: good.slice(0, -4) })).toBe(false);
  });

  it('decodes the characters HubSpot decodes in the URI before signing', () => {
    const encoded = `${uri}?next=a%3Ab%2Fc%40d`;
    const decoded = `${uri}?next=a:b/c@d`;
    const signature = signHubSpotV3(secret, { method: 'POST', uri: decoded, rawBody, timestamp });
    expect(verify({ uri: encoded, signature })).toBe(true);
  });

  it('the inbound connector checks the configured webhookUrl, else the URL received', () => {
    const config = hubspotConfigSchema.parse({ accessToken: 't', clientSecret: secret });
    const signed = (url: string) => ({
      rawBody,
      method: 'POST',
      url: 'http://127.0.0.1:3000/webhooks/hubspot',
      headers: {
        'x-hubspot-request-timestamp': timestamp,
        'x-hubspot-signature-v3': signHubSpotV3(secret, {
          method: 'POST',
          uri: url,
          rawBody,
          timestamp,
        }),
      },
    });
    // Behind a proxy HubSpot calls the public URL; only webhookUrl makes that verifiable.
    expect(hubspotInbound.verify(signed(uri), config, now)).toBe(false);
    expect(hubspotInbound.verify(signed(uri), { ...config, webhookUrl: uri }, now)).toBe(true);
    const local = signed('http://127.0.0.1:3000/webhooks/hubspot');
    expect(hubspotInbound.verify(local, config, now)).toBe(true);
    expect(hubspotInbound.verify(local, { ...config, clientSecret: undefined }, now)).toBe(false);
  });
});
