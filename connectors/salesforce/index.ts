import { salesforceEmulator } from '../../sandbox/salesforce/index.js';
import { defineConnector } from '../descriptor.js';
import { salesforceCrm } from './capabilities.js';
import { createSalesforceConnector } from './client.js';
import { salesforceConfigSchema } from './config.js';

/** Salesforce: the CRM (Contacts with community custom fields); read on sync, nothing inbound. */
export const salesforce = defineConnector({
  id: 'salesforce',
  title: 'Salesforce',
  config: salesforceConfigSchema,
  connect: (config) => createSalesforceConnector(config),
  capabilities: { crm: { create: (client) => salesforceCrm(client) } },
  // No redactHeaders: nothing comes in from Salesforce, and the Authorization header of the
  // calls going out is redacted for every connector already (runtime/logger.ts).
  // Salesforce has no per-second limit: what binds is the org's daily API allocation (checked
  // against Sforce-Limit-Info before each call) and 25 concurrent long-running requests. Ten
  // activities a second keeps a sync far from the concurrency limit and leaves the org's other
  // integrations room.
  activitiesPerSecond: 10,
  sandbox: salesforceEmulator,
});
