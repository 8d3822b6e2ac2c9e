import { freshdeskEmulator } from '../../sandbox/freshdesk/index.js';
import { defineConnector } from '../descriptor.js';
import { freshdeskHelpDesk } from './capabilities.js';
import { createFreshdeskConnector } from './client.js';
import { freshdeskConfigSchema } from './config.js';
import { freshdeskInbound } from './inbound.js';
import { SECRET_HEADER } from './signature.js';

/** Freshdesk: the help desk; automation-rule webhooks in (a shared secret header, no signature). */
export const freshdesk = defineConnector({
  id: 'freshdesk',
  title: 'Freshdesk',
  config: freshdeskConfigSchema,
  inbound: [{ path: '/webhooks/freshdesk', family: 'business', receiver: freshdeskInbound }],
  connect: (config) => createFreshdeskConnector(config),
  capabilities: { helpdesk: { create: (client) => freshdeskHelpDesk(client) } },
  redactHeaders: [SECRET_HEADER],
  // Freshdesk allows 200 (Growth) to 700 (Enterprise) calls a minute per account.
  activitiesPerSecond: 3,
  sandbox: freshdeskEmulator,
});
