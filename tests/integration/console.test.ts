// The console over real HTTP, wired as `townhall server` wires it: the sign-in exchanges the
// admin token for an HttpOnly session cookie scoped to /console, the JSON behind each view needs
// that session (or the bearer token), the pages may run only their own scripts, and the member
// view carries what the console charts: activity per day and the engagement level's history.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_MS, sessions } from '../../server/browser-session.js';
import type { InProcessHub } from '../support/in-process-hub.js';
import { startInProcessHub } from '../support/in-process-hub.js';
import { rawRequest } from '../support/raw-http.js';
import { postSlack, teamJoin } from '../support/slack.js';

const TOKEN = 'console-test-admin-token-7d1e';
let hub: InProcessHub;
beforeAll(async () => {
  hub = await startInProcessHub({ adminToken: TOKEN });
});
afterAll(() => hub?.close());

const form = (token: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ token }).toString(),
});

async function signIn(): Promise<string> {
  const answer = await rawRequest(`${hub.url}/console/session`, form(TOKEN));
  expect(answer.status).toBe(303);
  expect(answer.headers.location).toBe('/console');
  const cookie = String(answer.headers['set-cookie']);
  return cookie.split(';')[0]!;
}

/** A GET whose path goes on the wire exactly as written, dots and escapes included. */
function asWritten(path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(hub.url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: hostname, port, path, method: 'GET' }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

const get = (path: string, cookie?: string) =>
  rawRequest(`${hub.url}${path}`, cookie ? { headers: { cookie } } : {});

describe('signing in to the console', () => {
  it('shows the sign-in form to a browser without a session, and refuses a wrong token without a cookie', async () => {
    const page = await get('/console');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<form method="post" action="/console/session">');
    expect(page.body).toContain('<label for="token">Admin token</label>');
    const wrong = await rawRequest(`${hub.url}/console/session`, form(`${TOKEN}x`));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('role="alert"');
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('hands out an HttpOnly, SameSite=Strict cookie for /console only, which opens the console and its API', async () => {
    const answer = await rawRequest(`${hub.url}/console/session`, form(TOKEN));
    const cookie = String(answer.headers['set-cookie']);
    expect(cookie).toMatch(/^townhall_console=\d+\.[\w-]{43}; Path=\/console; Max-Age=43200/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0]!;
    const shell = await get('/console', session);
    expect(shell.body).toContain('<script type="module" src="/console/assets/console.js">');
    const ops = await get('/console/api/ops', session);
    expect(ops.status).toBe(200);
    const view = JSON.parse(ops.body) as {
      journeys: { name: string; enabled: boolean }[];
      handoffRules: { name: string; helpdesk: string }[];
    };
    // The views follow the config: its journeys and handoff rules, in order.
    expect(view.journeys.map((j) => j.name)).toEqual([
      'onboarding',
      ...Object.keys(hub.loaded.config.journeys),
    ]);
    expect(view.handoffRules[0]).toMatchObject({ name: 'reaction on slack', helpdesk: 'zendesk' });
    // The bearer token works too (scripts); signing out ends the cookie.
    const bearer = await rawRequest(`${hub.url}/console/api/handoffs`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(bearer.status).toBe(200);
    expect(JSON.parse(bearer.body)).toEqual([]);
    const out = await rawRequest(`${hub.url}/console/sign-out`, { method: 'POST' });
    expect(out.status).toBe(303);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
  });

  it('accepts no forged, expired or codec session, and no API call without one', async () => {
    const valid = (await signIn()).split('=')[1]!;
    const [expires, mac] = valid.split('.');
    // Properly signed, but issued more than 12 hours ago.
    const expired = sessions(TOKEN, 'console').issue(Date.now() - SESSION_MS - 1_000);
    const forged = [
      `townhall_console=${Number(expires) + 1000}.${mac}`,
      `townhall_console=${expires}.${'A'.repeat(43)}`,
      `townhall_console=${expired}`,
    ];
    for (const cookie of forged) {
      expect((await get('/console/api/ops', cookie)).status).toBe(401);
      expect((await get('/console', cookie)).body).toContain('action="/console/session"');
    }
    // A codec session is signed for another purpose: worthless here.
    const codec = await rawRequest(`${hub.url}/codec/session`, form(TOKEN));
    const codecValue = String(codec.headers['set-cookie']).split(';')[0]!.split('=')[1]!;
    expect((await get('/console/api/ops', `townhall_console=${codecValue}`)).status).toBe(401);
    for (const path of ['/ops', '/handoffs', '/sync', '/members', '/members/nobody@example.com'])
      expect((await get(`/console/api${path}`)).status).toBe(401);
  });
});

describe('what the console pages may do', () => {
  it('run only their own script and style, fetch only from the hub, and are never framed or cached', async () => {
    for (const path of ['/console', '/console/assets/console.js', '/console/api/ops']) {
      const answer = await get(path, await signIn());
      const csp = String(answer.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('serve the chart library and the views, and nothing outside their folder', async () => {
    const chart = await get('/console/assets/chart.umd.min.js');
    expect(chart.status).toBe(200);
    expect(chart.body).toContain('Chart');
    expect((await get('/console/assets/views/member.js')).status).toBe(200);
    // Sent as written (fetch and http.request would resolve the dots first), aimed at files that
    // exist one and two folders up: the page itself and the console's routes.
    for (const path of [
      '/console/assets/../index.html',
      '/console/assets/%2e%2e/index.html',
      '/console/assets/..%2findex.html',
      '/console/assets/..%2f..%2froutes.ts',
    ]) {
      const answer = await asWritten(path);
      expect([400, 403, 404], path).toContain(answer.status);
      expect(answer.body).not.toContain('<script');
      expect(answer.body).not.toContain('import');
    }
  });
});

describe('the member view behind the marketing view', () => {
  it('counts activity per day over 90 days and keeps each engagement level change', async () => {
    const secret = hub.loaded.config.connectors.slack!.signingSecret;
    const joined = await postSlack(
      hub.url,
      secret,
      teamJoin('U0CONSOLE1', 'lin@example.com', 'EvConsoleJoin', 'Lin'),
    );
    expect(joined.status).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 2; i++) {
      const posted = await postSlack(hub.url, secret, {
        token: 'x',
        team_id: 'T0TEST',
        api_app_id: 'A0TEST',
        type: 'event_callback',
        event_id: `EvConsolePost${i}`,
        event_time: now,
        event: {
          type: 'message',
          channel: 'C0GENERAL',
          user: 'U0CONSOLE1',
          text: `post ${i}`,
          ts: `${now - i}.00010${i}`,
        },
      });
      expect(posted.status).toBe(200);
    }
    const answer = await get('/console/api/members/lin@example.com', await signIn());
    expect(answer.status).toBe(200);
    const member = JSON.parse(answer.body) as {
      activityByDay: { day: string; count: number }[];
      levelHistory: { level: string | null }[];
      journeys: { journey: string }[];
    };
    expect(member.activityByDay).toHaveLength(90);
    expect(member.activityByDay.at(-1)).toEqual({
      day: new Date().toISOString().slice(0, 10),
      count: 3,
    });
    expect(member.activityByDay.slice(0, -1).every((d) => d.count === 0)).toBe(true);
    // Two posts at 3 points each: observer at the first, participant (5 and up) at the second.
    expect(member.levelHistory.map((l) => l.level)).toEqual(['observer', 'participant']);
  });
});
