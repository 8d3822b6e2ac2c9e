import { intercomEmulator } from '../../sandbox/intercom/index.js';
import { defineConnector } from '../descriptor.js';
import { intercomHelpDesk } from './capabilities.js';
import { intercomConfigSchema } from './config.js';
import { createIntercomConnector } from './client.js';
import { intercomInbound } from './inbound.js';

/** Intercom: the help desk (tickets or conversations); ticket webhooks in (sha1 HMAC). */
export const intercom = defineConnector({
  id: 'intercom',
  title: 'Intercom',
  config: intercomConfigSchema,
  inbound: [{ path: '/webhooks/intercom', family: 'business', receiver: intercomInbound }],
  connect: (config) => createIntercomConnector(config),
  capabilities: { helpdesk: { create: (client) => intercomHelpDesk(client) } },
  redactHeaders: ['x-hub-signature'],
  // Intercom allows 10,000 calls a minute per app, 25,000 per workspace.
  activitiesPerSecond: 50,
  sandbox: intercomEmulator,
});
