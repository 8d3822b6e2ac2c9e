import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import { jwtAssertion } from '../../connectors/salesforce/sdk.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  KEYS,
  OTHER_KEYS,
  USERNAME,
  connector,
  crmOf,
  fault,
  jwtConnector,
  people,
  post,
  requestsTo,
  sandbox,
  startSalesforceSandbox,
  useSalesforceSandbox,
} from '../support/salesforce.js';

/** Signing in (client credentials, JWT bearer), instance URL discovery, expired sessions. */

useSalesforceSandbox();

const TOKEN = /^\/services\/oauth2\/token$/;
const UPSERT = /\/composite\/sobjects\/Contact\/Townhall_Member_Id__c$/;

/** A raw token request, as any client would send it. */
const token = (params: Record<string, string>) =>
  fetch(`${sandbox.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });

describe('signing in', () => {
  it('client credentials: one token request, then the calls go to the instance URL it names', async () => {
    const client = connector();
    const result = await crmOf(client).upsertPeople(people(3));
    expect(result.upserted).toHaveLength(3);
    expect(requestsTo('POST', TOKEN).map((r) => r.status)).toEqual([200]);
    expect(requestsTo('PATCH', UPSERT).map((r) => r.status)).toEqual([200]);
    expect(client.signIns()).toBe(1);

    // The token answer, as the emulator gives it: an access token and the instance URL.
    const answer = (await (
      await token({
        grant_type: 'client_credentials',
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      })
    ).json()) as Record<string, unknown>;
    expect(answer).toMatchObject({
      access_token: expect.any(String),
      instance_url: sandbox.url,
      token_type: 'Bearer',
    });
  });

  it('uses the instance URL from the token answer, not the login URL', async () => {
    // An org whose instance is elsewhere (here: a port nobody listens on).
    const elsewhere = await startSalesforceSandbox({ instanceUrl: 'http://127.0.0.1:9' });
    try {
      const client = connector({}, elsewhere);
      await client.signIn();
      const error = await client.describeFields().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'unavailable', retryable: true });
      expect(elsewhere.emulators.salesforce.requests().map((r) => `${r.method} ${r.path}`)).toEqual(
        ['POST /services/oauth2/token'],
      );
    } finally {
      await elsewhere.stop();
    }
  });

  it('JWT bearer: an RS256 assertion signed with the configured key signs in', async () => {
    const client = jwtConnector();
    await crmOf(client).upsertPerson(people(1)[0]!);
    expect(requestsTo('POST', TOKEN).map((r) => r.status)).toEqual([200]);
    expect(sandbox.emulators.salesforce.list()).toHaveLength(1);

    const [head, claims] = jwtAssertion({
      flow: 'jwt_bearer',
      clientId: CLIENT_ID,
      username: USERNAME,
      privateKey: KEYS.privateKey,
      audience: sandbox.url,
    }).split('.');
    const decode = (part = '') => JSON.parse(Buffer.from(part, 'base64url').toString()) as unknown;
    expect(decode(head)).toEqual({ alg: 'RS256' });
    const { exp, ...rest } = decode(claims) as { exp: number };
    expect(rest).toEqual({ iss: CLIENT_ID, sub: USERNAME, aud: sandbox.url });
    expect(exp * 1000).toBeGreaterThan(Date.now() + 120_000);
    expect(exp * 1000).toBeLessThanOrEqual(Date.now() + 180_000);
  });

  it('refused credentials are a non-retryable auth error that names the settings, never the secret', async () => {
    const attempts = [
      connector({ clientSecret: 'wrong-secret' }),
      connector({ clientId: 'someone-else' }),
      jwtConnector(OTHER_KEYS.privateKey),
    ];
    for (const client of attempts) {
      const error = await client.describeFields().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectorError);
      expect(error).toMatchObject({ code: 'auth', retryable: false, status: 400 });
      expect((error as Error).message).toContain('connectors.salesforce.clientId');
      expect((error as Error).message).not.toContain('wrong-secret');
    }
    // The emulator told the three apart by the OAuth error codes Salesforce uses.
    const refusals = await Promise.all([
      token({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: 'x' }),
      token({ grant_type: 'client_credentials', client_id: 'x', client_secret: CLIENT_SECRET }),
      token({ grant_type: 'password', username: USERNAME, password: 'x' }),
    ]);
    expect(await Promise.all(refusals.map(async (r) => [r.status, await r.json()]))).toEqual([
      [400, { error: 'invalid_client', error_description: 'invalid client credentials' }],
      [400, { error: 'invalid_client_id', error_description: 'client identifier invalid' }],
      [400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' }],
    ]);
    // No data call was made without a session.
    expect(requestsTo('GET', /describe$/)).toEqual([]);
  });

  it('a JWT for another user, audience or an expired one is refused with invalid_grant', async () => {
    const base = {
      flow: 'jwt_bearer' as const,
      clientId: CLIENT_ID,
      username: USERNAME,
      privateKey: KEYS.privateKey,
      audience: sandbox.url,
    };
    const cases = [
      jwtAssertion({ ...base, username: 'someone@else.test' }),
      jwtAssertion({ ...base, audience: 'https://example.com' }),
      jwtAssertion(base, Date.now() - 10 * 60_000),
      jwtAssertion(base),
    ];
    const statuses = await Promise.all(
      cases.map(async (assertion) => {
        const answer = await token({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion,
        });
        return [answer.status, ((await answer.json()) as { error?: string }).error ?? 'ok'];
      }),
    );
    expect(statuses).toEqual([
      [400, 'invalid_grant'],
      [400, 'invalid_grant'],
      [400, 'invalid_grant'],
      [200, 'ok'],
    ]);
  });
});

describe('expired sessions', () => {
  it('a 401 INVALID_SESSION_ID signs in again once and the call goes through', async () => {
    const client = connector();
    const crm = crmOf(client);
    await crm.upsertPeople(people(2));
    expect((await post('/_sandbox/salesforce/sessions/expire', {})).status).toBe(200);

    // Several calls hit the expired session at once: one sign-in serves them all.
    const results = await Promise.all([
      crm.upsertPeople(people(2, 10)),
      crm.upsertPeople(people(2, 20)),
      crm.readPeople(['member0@example.com'], []),
    ]);
    expect(results[0].upserted).toHaveLength(2);
    expect(results[1].upserted).toHaveLength(2);
    expect(results[2].found).toHaveLength(1);
    expect(client.signIns()).toBe(2);
    expect(requestsTo('POST', TOKEN)).toHaveLength(2);
    expect(
      requestsTo('PATCH', UPSERT)
        .map((r) => r.status)
        .sort(),
    ).toEqual([200, 200, 200, 401, 401]);
  });

  it('a second 401 right after signing in again is an auth error, not a loop', async () => {
    const client = connector();
    await client.signIn();
    await fault({ status: 401, count: 2 });
    const error = await client.describeFields().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth', retryable: false, status: 401 });
    expect((error as Error).message).toContain('INVALID_SESSION_ID');
    expect(client.signIns()).toBe(2);
    expect(requestsTo('GET', /describe$/).map((r) => r.status)).toEqual([401, 401]);
  });
});
