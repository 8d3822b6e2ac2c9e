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
  connect: (config, context) => createHubSpotConnector(config, context.budgets),
  capabilities: { crm: { create: (client) => hubspotCrm(client) } },
  redactHeaders: ['x-hubspot-signature-v3', 'x-hubspot-signature'],
  // The portal's request budget (requestLimit) paces each request; the queue's rate keeps a
  // burst of runs from piling onto it.
  activitiesPerSecond: 9,
  sandbox: hubspotEmulator,
});
