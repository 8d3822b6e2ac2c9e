import { describe, expect, it } from 'vitest';
import { slackInbound } from '../../connectors/slack/inbound.js';
import { signSlackRequest } from '../../connectors/slack/signature.js';

const secret = 'test-signing-secret';
const now = new Date('2026-11-24T12:00:00Z');
const nowSeconds = String(Math.floor(now.getTime() / 1000));
// Deliberately spaced the way Slack does not: a re-serialized copy differs byte for byte.
const rawBody = Buffer.from(
  '{"type":"event_callback", "team_id":"T1","event_id":"Ev1","event_time":1,"event":{"type":"x"}}',
);

function request(body: Buffer, timestamp: string, signature: string | undefined) {
  return {
    rawBody: body,
    headers: {
      'x-slack-request-timestamp': timestamp,
      ...(signature !== undefined ? { 'x-slack-signature': signature } : {}),
    },
  };
}

const verify = (body: Buffer, timestamp: string, signature: string | undefined) =>
  slackInbound.verify(request(body, timestamp, signature), { signingSecret: secret }, now);

describe('Slack request signing (v0)', () => {
  it('accepts a body signed with the signing secret', () => {
    expect(verify(rawBody, nowSeconds, signSlackRequest(secret, nowSeconds, rawBody))).toBe(true);
  });

  it('rejects a signature made with another secret', () => {
    expect(verify(rawBody, nowSeconds, signSlackRequest('forged', nowSeconds, rawBody))).toBe(
      false,
    );
  });

  it('rejects a tampered body', () => {
    const signature = signSlackRequest(secret, nowSeconds, rawBody);
    const tampered = Buffer.from(rawBody.toString().replace('T1', 'T2'));
    expect(verify(tampered, nowSeconds, signature)).toBe(false);
  });

  it('rejects a re-serialized body (the signature covers the raw bytes)', () => {
    const signature = signSlackRequest(secret, nowSeconds, rawBody);
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(rawBody.toString())));
    expect(reserialized.equals(rawBody)).toBe(false);
    expect(verify(reserialized, nowSeconds, signature)).toBe(false);
  });

  it('rejects a stale request (older than five minutes), even when correctly signed', () => {
    const stale = String(Number(nowSeconds) - 5 * 60 - 1);
    expect(verify(rawBody, stale, signSlackRequest(secret, stale, rawBody))).toBe(false);
  });

  it('rejects a request from the future beyond the window', () => {
    const future = String(Number(nowSeconds) + 5 * 60 + 1);
    expect(verify(rawBody, future, signSlackRequest(secret, future, rawBody))).toBe(false);
  });

  it('accepts a request just inside the window', () => {
    const recent = String(Number(nowSeconds) - 4 * 60);
    expect(verify(rawBody, recent, signSlackRequest(secret, recent, rawBody))).toBe(true);
  });

  it('rejects missing, truncated and malformed signature headers', () => {
    const signature = signSlackRequest(secret, nowSeconds, rawBody);
    expect(verify(rawBody, nowSeconds, undefined)).toBe(false);
    expect(verify(rawBody, nowSeconds, signature.slice(0, -2))).toBe(false);
    expect(verify(rawBody, nowSeconds, signature.replace('v0=', 'v1='))).toBe(false);
    expect(verify(rawBody, 'not-a-number', signature)).toBe(false);
  });
});
