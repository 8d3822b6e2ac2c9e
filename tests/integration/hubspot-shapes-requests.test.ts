import { describe, expect, it } from 'vitest';
import { createHubSpotConnector } from '../../connectors/hubspot/client.js';
import { SANDBOX_HUBSPOT_TOKEN } from '../support/sandbox.js';
import { lastRequest, sandbox, useHubSpotSandbox } from '../support/hubspot.js';

/**
 * Pins the requests the connector sends through @hubspot/api-client (CRM v3 contacts, batch,
 * search, GDPR delete, properties) to the shapes of HubSpot's API reference.
 */

useHubSpotSandbox();

describe('requests the connector sends', () => {
  it('batch upsert, batch read, search, GDPR delete', async () => {
    const hubspot = createHubSpotConnector({
      accessToken: SANDBOX_HUBSPOT_TOKEN,
      baseUrl: sandbox.url,
    });
    await hubspot.upsertContacts([{ email: 'ada@example.com', properties: { firstname: 'Ada' } }]);
    expect(lastRequest('/crm/v3/objects/contacts/batch/upsert')?.body).toEqual({
      inputs: [
        {
          idProperty: 'email',
          id: 'ada@example.com',
          properties: { firstname: 'Ada', email: 'ada@example.com' },
        },
      ],
    });

    await hubspot.readContacts({
      ids: ['ada@example.com'],
      idProperty: 'email',
      properties: ['firstname'],
    });
    expect(lastRequest('/crm/v3/objects/contacts/batch/read')).toMatchObject({
      query: { archived: 'false' },
      body: {
        inputs: [{ id: 'ada@example.com' }],
        idProperty: 'email',
        properties: ['firstname', 'email'],
        propertiesWithHistory: [],
      },
    });

    await hubspot.searchContacts({
      filterGroups: [
        { filters: [{ propertyName: 'email', operator: 'EQ', value: 'ada@example.com' }] },
      ],
      properties: ['email'],
      limit: 5,
      after: '0',
    });
    expect(lastRequest('/crm/v3/objects/contacts/search')?.body).toEqual({
      filterGroups: [
        { filters: [{ propertyName: 'email', operator: 'EQ', value: 'ada@example.com' }] },
      ],
      properties: ['email'],
      limit: 5,
      after: '0',
    });

    await hubspot.gdprDeleteContact({ id: 'ada@example.com', idProperty: 'email' });
    expect(lastRequest('/crm/v3/objects/contacts/gdpr-delete')).toMatchObject({
      method: 'POST',
      status: 204,
      body: { objectId: 'ada@example.com', idProperty: 'email' },
    });
  });

  it('property group and property creation', async () => {
    const hubspot = createHubSpotConnector({
      accessToken: SANDBOX_HUBSPOT_TOKEN,
      baseUrl: sandbox.url,
      properties: [
        {
          name: 'community_churn_risk',
          label: 'Churn risk',
          type: 'enumeration',
          fieldType: 'select',
          options: [{ label: 'Low', value: 'low' }],
        },
      ],
    });
    await hubspot.ensureCommunityProperties();
    expect(lastRequest('/crm/v3/properties/contacts/groups')?.body).toEqual({
      name: 'community',
      label: 'Community',
    });
    expect(lastRequest('/crm/v3/properties/contacts')).toMatchObject({
      method: 'POST',
      status: 201,
      body: {
        name: 'community_churn_risk',
        label: 'Churn risk',
        type: 'enumeration',
        fieldType: 'select',
        groupName: 'community',
        options: [{ label: 'Low', value: 'low', displayOrder: 0, hidden: false }],
      },
    });
  });
});
