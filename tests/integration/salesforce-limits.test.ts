import { describe, expect, it } from 'vitest';
import type { ConnectorError } from '../../connectors/errors.js';
import {
  CONCURRENT_LIMIT_WAIT_MS,
  DAILY_LIMIT_WAIT_MS,
} from '../../connectors/salesforce/errors.js';
import {
  connector,
  crmOf,
  fault,
  people,
  post,
  requestsTo,
  sandbox,
  useSalesforceSandbox,
} from '../support/salesforce.js';

/** Salesforce's failures as the errors a workflow acts on, and the org's daily API allocation. */

useSalesforceSandbox();

/** The error a call ends with. */
const failure = (call: Promise<unknown>) =>
  call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error as ConnectorError,
  );

describe('errors', () => {
  it('429 is rate_limited with the Retry-After wait; without one, a minute', async () => {
    const client = connector();
    await client.signIn();
    await fault({ status: 429, retryAfterSeconds: 7 });
    expect(await failure(client.describeFields())).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      status: 429,
      retryAfterMs: 7_000,
    });
    await fault({ status: 429 });
    expect((await failure(client.describeFields())).retryAfterMs).toBe(60_000);
  });

  it('5xx is unavailable and retryable, with Retry-After when the server sends one', async () => {
    const client = connector();
    await client.signIn();
    await fault({ status: 500 });
    const server = await failure(client.describeFields());
    expect(server).toMatchObject({ code: 'unavailable', retryable: true, status: 500 });
    expect(server.message).toContain('UNKNOWN_EXCEPTION');
    expect(server.retryAfterMs).toBeUndefined();

    await fault({ status: 503, retryAfterSeconds: 3 });
    expect(await failure(client.describeFields())).toMatchObject({
      code: 'unavailable',
      status: 503,
      retryAfterMs: 3_000,
    });
    // jsforce's own retries are off: one request per failure, Temporal retries.
    expect(requestsTo('GET', /describe$/).map((r) => r.status)).toEqual([500, 503]);
  });

  it('a call that gets no answer at all is unavailable', async () => {
    const client = connector();
    await client.signIn();
    await fault({ drop: true });
    expect(await failure(client.describeFields())).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
  });

  it('404 NOT_FOUND and 400 MALFORMED_QUERY are not retryable', async () => {
    const client = connector({ object: 'Opportunity_Nope__c' });
    expect(await failure(client.describeFields())).toMatchObject({
      code: 'not_found',
      retryable: false,
      status: 404,
    });
    const query = await failure(connector().query('SELECT Id FROM Contact WHERE'));
    expect(query).toMatchObject({ code: 'invalid', retryable: false, status: 400 });
    expect(query.message).toContain('MALFORMED_QUERY');
  });
});

describe('the daily API allocation', () => {
  it('Sforce-Limit-Info is read from every answer and shown by limits()', async () => {
    const client = connector();
    expect(client.limits()).toBeUndefined();
    await post('/_sandbox/salesforce/limits', { max: 5_000, used: 1_200 });
    await client.describeFields();
    expect(client.limits()).toMatchObject({ used: 1_201, max: 5_000 });
    await crmOf(client).upsertPeople(people(3));
    expect(client.limits()).toMatchObject({ used: 1_202, max: 5_000 });
    expect(sandbox.emulators.salesforce.limits()).toMatchObject({ used: 1_202, max: 5_000 });
  });

  it('a spent allocation answers 403 REQUEST_LIMIT_EXCEEDED: rate_limited, waiting 15 minutes', async () => {
    const client = connector();
    await client.signIn();
    await post('/_sandbox/salesforce/limits', { max: 100, used: 100 });
    const error = await failure(crmOf(client).upsertPeople(people(2)));
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true, status: 403 });
    expect(error.message).toContain('REQUEST_LIMIT_EXCEEDED');
    expect(error.retryAfterMs).toBe(DAILY_LIMIT_WAIT_MS);
    expect(DAILY_LIMIT_WAIT_MS).toBe(15 * 60_000);
    expect(sandbox.emulators.salesforce.list()).toEqual([]);
  });

  it('REQUEST_LIMIT_EXCEEDED under the daily allocation is the concurrency limit: a short wait', async () => {
    const client = connector();
    await client.signIn();
    await fault({ status: 403 });
    const error = await failure(client.describeFields());
    expect(error).toMatchObject({ code: 'rate_limited', status: 403 });
    expect(error.retryAfterMs).toBe(CONCURRENT_LIMIT_WAIT_MS);
  });

  it('refuses before sending once usage reaches dailyApiShare of the allocation', async () => {
    const client = connector({ dailyApiShare: 0.5 });
    const crm = crmOf(client);
    await post('/_sandbox/salesforce/limits', { max: 1_000, used: 498 });
    await crm.upsertPeople(people(2)); // the org's call 499
    await crm.upsertPeople(people(2, 2)); // call 500: half the allocation is now spent
    const sent = requestsTo('PATCH', /composite/).length;

    const refused = await failure(crm.upsertPeople(people(2, 4)));
    expect(refused).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(refused.status).toBeUndefined();
    expect(refused.message).toContain('dailyApiShare');
    expect(refused.retryAfterMs).toBeGreaterThan(DAILY_LIMIT_WAIT_MS - 5_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(DAILY_LIMIT_WAIT_MS);
    // Nothing went out: the bulk of the allocation stays with the org's other integrations.
    expect(requestsTo('PATCH', /composite/)).toHaveLength(sent);
    expect(sandbox.emulators.salesforce.limits().used).toBe(500);
    expect(sandbox.emulators.salesforce.list()).toHaveLength(4);

    // The default share is 0.9: the same usage does not stop a connector without one.
    const other = connector();
    await crmOf(other).upsertPeople(people(2, 4));
    expect(sandbox.emulators.salesforce.list()).toHaveLength(6);
  });
});
