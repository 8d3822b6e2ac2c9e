import path from 'node:path';
import type { ConnectorContext } from '../descriptor.js';
import type { Mailer } from '../ports.js';
import type { EmailConfig } from './config.js';
import { createEmailConnector } from './client.js';

/** The address inside `Name <address>`, or the whole string when it is a bare address. */
export function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
}

/** SMTP as townhall's mailer, with the sender settings of `connectors.email`. */
export function smtpMailer(
  config: EmailConfig,
  context: Pick<ConnectorContext, 'configDir'>,
): Mailer {
  const transport = createEmailConnector(config.smtp);
  return {
    sender: {
      from: config.from,
      templatesDir: path.resolve(context.configDir, config.templatesDir),
      unsubscribe: {
        secret: config.unsubscribeSecret,
        mailto: config.unsubscribeMailto ?? addressOf(config.from),
      },
    },
    send: (email) => transport.send(email),
    close: () => transport.close(),
  };
}
