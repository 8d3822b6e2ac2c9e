import { describe, expect, it } from 'vitest';
import type { ConnectorError } from '../../connectors/errors.js';
import { msUntilMidnight } from '../../connectors/hubspot/rate-limits.js';
import { connector, hubspot, members, post, useHubSpotSandbox } from '../support/hubspot.js';

/** A rejected token and a spent daily allowance, as the errors a workflow acts on. */

useHubSpotSandbox();

describe('failures', () => {
  it('a rejected token is a non-retryable auth error naming connectors.hubspot.accessToken', async () => {
    const token = 'pat-na1-wrong-token';
    const wrong = connector(token);
    for (const call of [
      () => wrong.ensureCommunityProperties(),
      () => wrong.searchContacts({ filterGroups: [] }),
      () => wrong.upsertContacts(members(2)),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'auth', retryable: false, status: 401 });
      expect((error as Error).message).toContain('connectors.hubspot.accessToken');
      expect((error as Error).message).not.toContain(token);
    }
  });

  it('a spent daily allowance waits until midnight in the account’s time zone', async () => {
    expect((await post('/_sandbox/hubspot/limits', { daily: { max: 2 } })).status).toBe(200);
    await hubspot.searchContacts({ filterGroups: [] });
    await hubspot.searchContacts({ filterGroups: [] });
    const untilMidnight = msUntilMidnight('UTC');
    const error = await hubspot.searchContacts({ filterGroups: [] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'rate_limited', retryable: true, status: 429 });
    const wait = (error as ConnectorError).retryAfterMs!;
    expect(wait).toBeGreaterThan(untilMidnight - 5_000);
    expect(wait).toBeLessThanOrEqual(untilMidnight + 1_000);
  });
});
