import { describe, expect, it } from 'vitest';
import {
  connector,
  hubspot,
  PROPERTY_NAMES,
  requestsTo,
  sandbox,
  useHubSpotSandbox,
} from '../support/hubspot.js';

/** The community property group and properties, created once even by racing workers. */

useHubSpotSandbox();

describe('ensureCommunityProperties', () => {
  it('creates the group and each property once, then finds them all', async () => {
    const first = await hubspot.ensureCommunityProperties();
    expect(first).toEqual({ groupCreated: true, created: PROPERTY_NAMES, existing: [] });
    const second = await hubspot.ensureCommunityProperties();
    expect(second).toEqual({ groupCreated: false, created: [], existing: PROPERTY_NAMES });
    expect(requestsTo('POST', '/crm/v3/properties/contacts')).toHaveLength(PROPERTY_NAMES.length);

    const stored = sandbox.emulators.hubspot
      .properties()
      .filter((p) => p.groupName === 'community');
    expect(stored.map((p) => p.name)).toEqual(PROPERTY_NAMES);
    expect(stored.find((p) => p.name === 'community_churn_risk')).toMatchObject({
      type: 'enumeration',
      fieldType: 'select',
      options: [
        { label: 'low', value: 'low', displayOrder: 0, hidden: false },
        { label: 'medium', value: 'medium', displayOrder: 1, hidden: false },
        { label: 'high', value: 'high', displayOrder: 2, hidden: false },
      ],
    });
  });

  it('run by three workers at once, each property is created by exactly one of them', async () => {
    const results = await Promise.all(
      [connector(), connector(), connector()].map((c) => c.ensureCommunityProperties()),
    );
    expect(results.flatMap((r) => r.created).sort()).toEqual([...PROPERTY_NAMES].sort());
    expect(results.filter((r) => r.groupCreated)).toHaveLength(1);
    const creates = requestsTo('POST', '/crm/v3/properties/contacts');
    const made = creates
      .filter((r) => r.status === 201)
      .map((r) => (r.body as { name: string }).name);
    expect(made.sort()).toEqual([...PROPERTY_NAMES].sort());
    // The workers did race, and every losing create got HubSpot's 409, which the connector
    // took as "already there".
    const lost = creates.filter((r) => r.status !== 201);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((r) => r.status === 409)).toBe(true);
  });
});
