// The hub's non-webhook surface over real HTTP, wired as `townhall server` wires it: every admin
// route needs the admin token; health checks, vendor webhooks, signed unsubscribe links and the
// codec sign-in page do not; every answer carries the security headers; unsubscribe and admin
// routes are rate limited per client (webhooks are not); the log never shows a token, signature
// or capability. Clients are told apart by the address they connect from (127.0.x.y).
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsubscribeToken } from '../../connectors/email/unsubscribe.js';
import { signSlackRequest } from '../../connectors/slack/signature.js';
import { createLogger } from '../../runtime/logger.js';
import type { InProcessHub } from '../support/in-process-hub.js';
import { startInProcessHub } from '../support/in-process-hub.js';
import type { RawRequest, RawResponse } from '../support/raw-http.js';
import { rawRequest } from '../support/raw-http.js';

const TOKEN = 'admin-surface-test-token-5f0c2e';
const LIMITS = { window: 60_000, unsubscribe: 3, admin: 5 };

const lines: string[] = [];
const logger = createLogger(
  'admin-surface',
  undefined,
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  }),
);
logger.level = 'debug';

let hub: InProcessHub;
/** The same hub behind a proxy it trusts (loopback): clients are told apart by X-Forwarded-For. */
let proxied: InProcessHub;
beforeAll(async () => {
  hub = await startInProcessHub({ adminToken: TOKEN, logger, server: { rateLimit: LIMITS } });
  proxied = await startInProcessHub({
    adminToken: TOKEN,
    server: { rateLimit: LIMITS, trustProxy: 'loopback' },
  });
});
afterAll(async () => {
  await hub?.close();
  await proxied?.close();
});

/** A request from `client` (127.0.x.y): each test uses its own clients, so limits do not mix. */
const from = (client: string, path: string, request: RawRequest = {}, base = hub.url) =>
  rawRequest(`${base}${path}`, { localAddress: client, ...request });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const secretOf = (hub: InProcessHub) => {
  const email = hub.loaded.config.connectors.email;
  if (!email?.unsubscribeSecret) throw new Error('the sandbox config has an unsubscribe secret');
  return email.unsubscribeSecret;
};

/** Every admin route, as method and path, with what a valid call needs. */
const ADMIN_ROUTES: [string, string, RawRequest?][] = [
  ['GET', '/api/members'],
  ['GET', '/api/members/nobody@example.com'],
  ['POST', '/api/members/nobody@example.com/forget', json({})],
  ['GET', '/api/erasures/nobody@example.com'],
  ['GET', '/api/dead-letters'],
  ['POST', '/codec/decode', json({ payloads: [] })],
  ['POST', '/codec/encode', json({ payloads: [] })],
];

function json(body: unknown): RawRequest {
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

describe('the admin token', () => {
  it.each(
    ADMIN_ROUTES.map(([method, path, request], i) => [method, path, request ?? {}, i] as const),
  )(
    '%s %s: 401 without it or with a wrong one, answered with it',
    async (method, path, request, i) => {
      const client = `127.0.1.${i + 1}`;
      const call = (headers: Record<string, string>) =>
        from(client, path, { ...request, method, headers: { ...request.headers, ...headers } });
      const none = await call({});
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toContain('Bearer');
      expect((await call(bearer('admin-surface-test-token-5f0c2f'))).status).toBe(401);
      expect((await call(bearer('short'))).status).toBe(401);
      expect((await call({ authorization: TOKEN })).status).toBe(401);
      const right = await call(bearer(TOKEN));
      expect(right.status, right.body).not.toBe(401);
      expect(right.status, right.body).toBeLessThan(500);
    },
  );

  it('is not needed for health checks, vendor webhooks, unsubscribe links and the codec sign-in page', async () => {
    const client = '127.0.1.100';
    expect((await from(client, '/healthz')).status).toBe(200);
    expect((await from(client, '/readyz')).status).toBe(200);
    // A webhook answers on its own terms: the signature, not the admin token.
    expect((await from(client, '/webhooks/slack', { method: 'POST', body: '{}' })).status).toBe(
      401,
    );
    const link = `/unsubscribe/${unsubscribeToken(secretOf(hub), randomUUID())}`;
    expect((await from(client, link)).status).toBe(200);
    expect((await from(client, '/codec/session')).status).toBe(200);
  });

  it('guards unknown paths with a plain 404 that names nothing', async () => {
    const response = await from('127.0.1.101', '/api/secrets');
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ error: 'not found' });
  });
});

/** The headers every answer must carry. */
function expectSecurityHeaders(response: RawResponse): void {
  const csp = String(response.headers['content-security-policy']);
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('script-src');
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['x-frame-options']).toBe('DENY');
  expect(response.headers['referrer-policy']).toBe('no-referrer');
  expect(response.headers['x-powered-by']).toBeUndefined();
}

describe('security headers', () => {
  it('are on webhook, unsubscribe, admin, health, 404 and 429 answers alike', async () => {
    const client = '127.0.2.1';
    const body = JSON.stringify({ token: 't', challenge: 'c', type: 'url_verification' });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signingSecret = hub.loaded.config.connectors.slack!.signingSecret;
    const answers = [
      await from(client, '/webhooks/slack', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': signSlackRequest(signingSecret, timestamp, Buffer.from(body)),
        },
        body,
      }),
      await from(client, '/webhooks/slack', { method: 'POST', body }),
      await from(client, `/unsubscribe/${unsubscribeToken(secretOf(hub), randomUUID())}`),
      await from(client, '/unsubscribe/not-a-token'),
      await from(client, '/api/members', { headers: bearer(TOKEN) }),
      await from(client, '/api/members'),
      await from(client, '/healthz'),
      await from(client, '/no/such/path'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 200, 400, 200, 401, 200, 404]);
    for (const answer of answers) expectSecurityHeaders(answer);
    // The unsubscribe page is HTML: no script may run on it, and it cannot be framed.
    expect(answers[2]!.headers['content-type']).toContain('text/html');
    let limited: RawResponse | undefined;
    for (let i = 0; i < 10 && limited?.status !== 429; i++)
      limited = await from(client, '/unsubscribe/not-a-token');
    expect(limited?.status).toBe(429);
    expectSecurityHeaders(limited!);
  });

  it('include Strict-Transport-Security only for https, as a trusted proxy reports it', async () => {
    const https = { headers: { 'x-forwarded-proto': 'https' } };
    expect(
      (await from('127.0.2.2', '/healthz')).headers['strict-transport-security'],
    ).toBeUndefined();
    // Untrusted, a client's claim to https changes nothing.
    expect(
      (await from('127.0.2.2', '/healthz', https)).headers['strict-transport-security'],
    ).toBeUndefined();
    const behindProxy = await from('127.0.0.1', '/healthz', https, proxied.url);
    expect(behindProxy.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  });
});

/** Sends requests from `client` until one is refused; the statuses, in order. */
async function statusesUntilLimited(send: () => Promise<RawResponse>, most: number) {
  const statuses: number[] = [];
  let last: RawResponse | undefined;
  for (let i = 0; i < most; i++) {
    last = await send();
    statuses.push(last.status);
    if (last.status === 429) break;
  }
  return { statuses, last: last! };
}

describe('per-client rate limits', () => {
  it('answer an unsubscribe client 429 with Retry-After after the limit, and not another', async () => {
    const { statuses, last } = await statusesUntilLimited(
      () => from('127.0.3.1', '/unsubscribe/not-a-token'),
      10,
    );
    expect(statuses).toEqual([400, 400, 400, 429]);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(last.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await from('127.0.3.2', '/unsubscribe/not-a-token')).status).toBe(400);
  });

  it('count admin calls (a right token included) per client', async () => {
    const call = (client: string) => from(client, '/api/members', { headers: bearer(TOKEN) });
    const { statuses, last } = await statusesUntilLimited(() => call('127.0.3.3'), 10);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect((await call('127.0.3.4')).status).toBe(200);
    // Token guessing is limited the same way.
    const guesses = await statusesUntilLimited(
      () => from('127.0.3.5', '/api/members', { headers: bearer(`guess-${randomUUID()}`) }),
      10,
    );
    expect(guesses.statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('never apply to vendor webhooks, which arrive in bursts', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 20; i++)
      statuses.add(
        (await from('127.0.3.6', '/webhooks/slack', { method: 'POST', body: '{}' })).status,
      );
    expect([...statuses]).toEqual([401]);
  });

  it('cannot be dodged with X-Forwarded-For while no proxy is trusted', async () => {
    const { statuses } = await statusesUntilLimited(
      () =>
        from('127.0.3.7', '/unsubscribe/not-a-token', {
          headers: { 'x-forwarded-for': `198.51.100.${Math.floor(Math.random() * 250)}` },
        }),
      10,
    );
    expect(statuses).toEqual([400, 400, 400, 429]);
  });

  it("tell clients apart by the trusted proxy's X-Forwarded-For", async () => {
    const call = (address: string) =>
      from(
        '127.0.0.1',
        '/unsubscribe/not-a-token',
        { headers: { 'x-forwarded-for': address } },
        proxied.url,
      );
    const { statuses } = await statusesUntilLimited(() => call('203.0.113.7'), 10);
    expect(statuses).toEqual([400, 400, 400, 429]);
    expect((await call('203.0.113.8')).status).toBe(400);
  });
});

describe('the log', () => {
  it('never shows the admin token, signatures, session cookies or capability URLs', async () => {
    const client = '127.0.4.1';
    const wrongToken = 'wrong-admin-token-1c9e7d2a';
    const signature = 'v0=4e1f0d6b2c8a9e7f3d5b1a2c4e6f8d0b9a7c5e3f1d2b4a6c8e0f9d7b5a3c1e2f';
    const responseUrl = 'https://hooks.slack.com/commands/T0TEST/capability-6a5b4c3d';
    const unsubscribe = unsubscribeToken(secretOf(hub), randomUUID());
    const timestamp = String(Math.floor(Date.now() / 1000));
    const command = new URLSearchParams({
      team_id: 'T0TEST',
      channel_id: 'C0GENERAL',
      user_id: 'U0LOGTEST',
      command: '/ticket',
      text: 'help',
      response_url: responseUrl,
      trigger_id: `trigger-${randomUUID()}`,
    }).toString();
    const signingSecret = hub.loaded.config.connectors.slack!.signingSecret;

    await from(client, '/api/members', { headers: bearer(wrongToken) });
    await from(client, '/api/members', { headers: bearer(TOKEN) });
    await from(client, '/api/members', { headers: { cookie: `townhall_codec=${wrongToken}` } });
    await from(client, '/webhooks/slack', {
      method: 'POST',
      headers: { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
      body: '{"type":"event_callback"}',
    });
    const routed = await from(client, '/webhooks/slack/commands', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': signSlackRequest(signingSecret, timestamp, Buffer.from(command)),
      },
      body: command,
    });
    expect(routed.status).toBe(200);
    await from(client, `/unsubscribe/${unsubscribe}`);
    for (let i = 0; i < 4; i++) await from(client, `/unsubscribe/${unsubscribe}x`);

    const text = lines.join('');
    // The capture works: the rejected delivery and the limit were logged.
    expect(text).toContain('webhook rejected');
    expect(text).toContain('over its request limit');
    for (const secret of [
      TOKEN,
      wrongToken,
      signature,
      responseUrl,
      'capability-6a5b4c3d',
      unsubscribe,
    ])
      expect(text).not.toContain(secret);
  });
});
