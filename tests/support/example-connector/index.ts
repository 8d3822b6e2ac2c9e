import { defineConnector } from '../../../connectors/descriptor.js';
import type { DirectMessenger } from '../../../connectors/ports.js';
import { exampleConfigSchema } from './config.js';
import { exampleEmulator } from './emulator.js';
import { exampleInbound } from './inbound.js';

/**
 * A vendor that exists only in the tests: one folder, registered by listing it next to the real
 * ones. tests/integration/connector-registry.test.ts shows that this is all a new vendor takes.
 */
export const example = defineConnector({
  id: 'example',
  title: 'Example',
  config: exampleConfigSchema,
  inbound: [{ path: '/webhooks/example', family: 'community', receiver: exampleInbound }],
  connect: (config) => config.apiUrl,
  capabilities: {
    messenger: {
      create: (apiUrl): DirectMessenger => ({
        async sendDirectMessage({ to, text }) {
          const response = await fetch(`${apiUrl}/example/api/dm`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ to: to.userId, text }),
          });
          return { messageId: ((await response.json()) as { id: string }).id, created: true };
        },
        // The example platform shows text as it is: nothing in it is markup.
        escape: (value) => value,
      }),
    },
  },
  redactHeaders: ['x-example-signature'],
  sandbox: exampleEmulator,
});
