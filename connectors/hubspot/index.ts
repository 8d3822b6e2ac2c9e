import { hubspotEmulator } from '../../sandbox/hubspot/index.js';
import { defineConnector } from '../descriptor.js';
import { hubspotCrm } from './capabilities.js';
import { createHubSpotConnector } from './client.js';
import { hubspotConfigSchema } from './config.js';
import { hubspotInbound } from './inbound.js';

/** HubSpot: the CRM (contacts with community properties); contact webhooks in (v3 signed). */
export const hubspot = defineConnector({
  id: 'hubspot',
  title: 'HubSpot',
  config: hubspotConfigSchema,
  inbound: [
    {
      path: '/webhooks/hubspot',
      family: 'business',
      receiver: hubspotInbound,
      // The app's client secret signs the webhooks: without it nothing could be verified.
      enabled: (config) => config.clientSecret !== undefined,
    },
  ],
  connect: (config) => createHubSpotConnector(config),
  capabilities: { crm: { create: (client) => hubspotCrm(client) } },
  redactHeaders: ['x-hubspot-signature-v3', 'x-hubspot-signature'],
  // Private apps get 100 requests per 10 s (more on paid tiers): 9 leaves room for retries.
  activitiesPerSecond: 9,
  sandbox: hubspotEmulator,
});
