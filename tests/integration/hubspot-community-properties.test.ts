import { describe, expect, it } from 'vitest';
import { hubspotCrm } from '../../connectors/hubspot/capabilities.js';
import { hubspotConfigSchema } from '../../connectors/hubspot/config.js';
import { COMMUNITY_PROPERTIES } from '../../connectors/ports.js';
import {
  api,
  CHURN_RISK,
  connector,
  hubspot,
  requestsTo,
  sandbox,
  useHubSpotSandbox,
} from '../support/hubspot.js';

/**
 * townhall's fixed community properties (the names CRM reports rely on) plus the configured
 * extras, and the platform options of community_platforms.
 */

useHubSpotSandbox();

const community = () =>
  new Map(
    sandbox.emulators.hubspot
      .properties()
      .filter((p) => p.groupName === 'community')
      .map((p) => [p.name, p]),
  );

describe('community properties', () => {
  it('creates the fixed properties by their names, then the extras from the config', async () => {
    await hubspotCrm(hubspot).ensureProperties();
    const stored = community();
    expect([...stored.keys()]).toEqual([...COMMUNITY_PROPERTIES, CHURN_RISK.name]);
    expect(stored.get('townhall_member_id')).toMatchObject({
      type: 'string',
      fieldType: 'text',
      hasUniqueValue: true,
    });
    const platforms = stored.get('community_platforms');
    expect(platforms).toMatchObject({ type: 'enumeration', fieldType: 'checkbox' });
    // The platforms townhall has connectors for: their ids as values, their titles as labels.
    expect(platforms?.options).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ value: 'slack', label: 'Slack' }),
        expect.objectContaining({ value: 'discord', label: 'Discord' }),
        expect.objectContaining({ value: 'discourse', label: 'Discourse' }),
      ]),
    );
    expect(platforms?.options.map((o) => o.value)).not.toContain('hubspot');
    expect(
      Object.fromEntries(
        [...stored.values()]
          .filter((p) => p.name !== 'community_platforms')
          .map((p) => [p.name, p.type]),
      ),
    ).toEqual({
      townhall_member_id: 'string',
      community_first_seen: 'datetime',
      community_last_active: 'datetime',
      community_activity_30d: 'number',
      community_engagement_level: 'string',
      community_milestones: 'string',
      community_churn_risk: 'enumeration',
    });
    expect(stored.get(CHURN_RISK.name)?.hasUniqueValue).toBe(false);

    // Once there, a second process only reads.
    const before = sandbox.emulators.hubspot.requests().length;
    await hubspotCrm(connector()).ensureProperties();
    expect(
      sandbox.emulators.hubspot
        .requests()
        .slice(before)
        .map((r) => `${r.method} ${r.path}`),
    ).toEqual([
      'GET /crm/v3/properties/contacts/groups/community',
      'GET /crm/v3/properties/contacts',
    ]);
  });

  it('extras add to the fixed properties; naming a fixed one is a config error', () => {
    const config = hubspotConfigSchema.parse({ accessToken: 't' });
    expect(config.properties).toEqual([]);
    const clash = hubspotConfigSchema.safeParse({
      accessToken: 't',
      properties: [CHURN_RISK, { name: 'community_platforms', label: 'Mine' }, CHURN_RISK],
    });
    expect(clash.success).toBe(false);
    expect(clash.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['properties.1.name', expect.stringContaining("one of townhall's own")],
      ['properties.2.name', expect.stringContaining('listed twice')],
    ]);
  });

  it('adds a platform the options lack before writing it, once', async () => {
    const crm = hubspotCrm(hubspot);
    await crm.ensureProperties();
    const person = {
      memberId: '00000000-0000-4000-8000-000000000001',
      email: 'r@example.com',
      properties: { community_platforms: ' reddit ;slack;reddit' },
    };
    const result = await crm.upsertPeople([person]);
    expect(result.failed).toEqual([]);
    expect(sandbox.emulators.hubspot.list()[0]?.properties.community_platforms).toBe(
      'reddit;slack',
    );
    const options = community().get('community_platforms')?.options ?? [];
    expect(options.at(-1)).toEqual({
      value: 'reddit',
      label: 'Reddit',
      displayOrder: options.length - 1,
      hidden: false,
    });
    await crm.upsertPeople([person]);
    expect(requestsTo('PATCH', '/crm/v3/properties/contacts/community_platforms')).toHaveLength(1);
  });

  it('a second process adds the options of new platforms to an existing property', async () => {
    await api('POST', '/crm/v3/properties/contacts/groups', { name: 'community', label: 'C' });
    await api('POST', '/crm/v3/properties/contacts', {
      name: 'community_platforms',
      label: 'Community platforms',
      type: 'enumeration',
      fieldType: 'checkbox',
      groupName: 'community',
      options: [{ label: 'Slack', value: 'slack' }],
    });
    const setup = await hubspot.ensureCommunityProperties();
    expect(setup.existing).toEqual(['community_platforms']);
    const values = community()
      .get('community_platforms')
      ?.options.map((o) => o.value);
    expect(values?.[0]).toBe('slack');
    expect(values).toEqual(expect.arrayContaining(['slack', 'discord', 'discourse']));
  });

  it('refuses a townhall_member_id that HubSpot does not keep unique, naming it', async () => {
    await api('POST', '/crm/v3/properties/contacts', {
      name: 'townhall_member_id',
      label: 'Member id',
      type: 'string',
      fieldType: 'text',
      groupName: 'contactinformation',
    });
    const error = await hubspotCrm(hubspot)
      .ensureProperties()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid', retryable: false });
    expect((error as Error).message).toContain('townhall_member_id');
    expect((error as Error).message).toContain('unique');
  });
});
