import { describe, expect, it } from 'vitest';
import { discourseInbound } from '../../connectors/discourse/inbound.js';
import { signDiscourseBody } from '../../connectors/discourse/signature.js';

const config = {
  baseUrl: 'https://forum.example.com',
  apiKey: 'k',
  apiUsername: 'system',
  webhookSecret: 'test-webhook-secret',
};
// Spaced the way Discourse (MultiJson.dump) does not: a re-serialized copy differs byte for byte.
const rawBody = Buffer.from('{"user": {"id": 7, "username": "ada"}}');

const verify = (body: Buffer, signature: string | undefined, secret = config.webhookSecret) =>
  discourseInbound.verify(
    {
      rawBody: body,
      headers: signature === undefined ? {} : { 'x-discourse-event-signature': signature },
    },
    { ...config, webhookSecret: secret },
  );

describe('Discourse webhook signatures (sha256 HMAC of the raw body)', () => {
  it('matches the vector from Discourse’s own spec (ping body, fabricator secret)', () => {
    // spec/jobs/emit_web_hook_event_spec.rb: the ping body {"ping":"OK"} signed with the
    // web_hook fabricator's secret.
    expect(signDiscourseBody('my_lovely_secret_for_web_hook', Buffer.from('{"ping":"OK"}'))).toBe(
      'sha256=162f107f6b5022353274eb1a7197885cfd35744d8d08e5bcea025d309386b7d6',
    );
  });

  it('accepts a body signed with the webhook secret', () => {
    expect(verify(rawBody, signDiscourseBody(config.webhookSecret, rawBody))).toBe(true);
  });

  it('rejects a signature made with another secret', () => {
    expect(verify(rawBody, signDiscourseBody('forged', rawBody))).toBe(false);
  });

  it('rejects a tampered body', () => {
    const signature = signDiscourseBody(config.webhookSecret, rawBody);
    expect(verify(Buffer.from(rawBody.toString().replace('7', '8')), signature)).toBe(false);
  });

  it('rejects a re-serialized body (the signature covers the raw bytes)', () => {
    const signature = signDiscourseBody(config.webhookSecret, rawBody);
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(rawBody.toString())));
    expect(reserialized.equals(rawBody)).toBe(false);
    expect(verify(reserialized, signature)).toBe(false);
  });

  it('rejects missing, truncated, unprefixed and upper-cased signatures', () => {
    const signature = signDiscourseBody(config.webhookSecret, rawBody);
    expect(verify(rawBody, undefined)).toBe(false);
    expect(verify(rawBody, '')).toBe(false);
    expect(verify(rawBody, signature.slice(0, -2))).toBe(false);
    expect(verify(rawBody, signature.replace('sha256=', ''))).toBe(false);
    expect(verify(rawBody, signature.replace('sha256=', 'sha1='))).toBe(false);
    expect(verify(rawBody, signature.toUpperCase())).toBe(false);
  });
});
