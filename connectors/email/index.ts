import { emailEmulator } from '../../sandbox/email/index.js';
import { defineConnector } from '../descriptor.js';
import { smtpMailer } from './capabilities.js';
import { emailConfigSchema } from './config.js';

/** Email over SMTP, with signed one-click unsubscribe links. */
export const email = defineConnector({
  id: 'email',
  title: 'Email (SMTP)',
  config: emailConfigSchema,
  connect: (config, context) => smtpMailer(config, context),
  capabilities: { mailer: { create: (mailer) => mailer } },
  sandbox: emailEmulator,
});
