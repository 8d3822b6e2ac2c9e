import { zendeskEmulator } from '../../sandbox/zendesk/index.js';
import { defineConnector } from '../descriptor.js';
import { zendeskHelpDesk } from './capabilities.js';
import { createZendeskConnector } from './client.js';
import { zendeskConfigSchema } from './config.js';
import { zendeskInbound } from './inbound.js';

/** Zendesk: the help desk; ticket status and comment webhooks in (base64 HMAC). */
export const zendesk = defineConnector({
  id: 'zendesk',
  title: 'Zendesk',
  config: zendeskConfigSchema,
  inbound: [{ path: '/webhooks/zendesk', family: 'business', receiver: zendeskInbound }],
  connect: (config) => createZendeskConnector(config),
  capabilities: { helpdesk: { create: (client) => zendeskHelpDesk(client) } },
  redactHeaders: ['x-zendesk-webhook-signature'],
  // Zendesk Suite Team allows 200 requests a minute; higher plans more.
  activitiesPerSecond: 3,
  sandbox: zendeskEmulator,
});
