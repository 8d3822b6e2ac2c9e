import express from 'express';
import type { EmailConfig } from '../../connectors/email/config.js';
import type { Emulator, EmulatorDefinition } from '../emulator.js';
import type { SandboxMail } from './smtp.js';
import { createSmtpSink } from './smtp.js';

export type { SandboxMail } from './smtp.js';

export interface EmailEmulatorOptions {
  /** The one login AUTH accepts; unauthenticated senders are still accepted, like a relay. */
  user: string;
  pass: string;
  /** Where the sink listens on 127.0.0.1; 0 (the default) takes any free port. */
  port: number;
}

export interface EmailEmulator extends Emulator {
  /** The port the SMTP sink listens on, once started. */
  readonly port: number;
  /** Every message received, oldest first (GET /_sandbox/mail). */
  list(): SandboxMail[];
}

/** The login config/examples/sandbox.yaml uses. */
export const EMAIL_DEFAULTS = { user: 'sandbox', pass: 'sandbox-smtp-password', port: 0 } as const;

/**
 * Email: an SMTP sink on a port of its own (STARTTLS and AUTH, as a production relay offers)
 * that keeps every message, listed at GET /_sandbox/mail.
 */
export const emailEmulator: EmulatorDefinition<EmailConfig, EmailEmulatorOptions, EmailEmulator> = {
  create(options) {
    const sink = createSmtpSink({
      user: options.user ?? EMAIL_DEFAULTS.user,
      pass: options.pass ?? EMAIL_DEFAULTS.pass,
    });
    let port = options.port ?? EMAIL_DEFAULTS.port;
    const router = express.Router();
    router.get('/_sandbox/mail', (_req, res) => {
      res.json(sink.list());
    });
    return {
      router,
      get port() {
        return port;
      },
      list: sink.list,
      reset: sink.reset,
      async start() {
        port = await sink.listen(port);
      },
      stop: sink.close,
      banner: () => `SMTP sink on 127.0.0.1:${port}`,
      examples: (url: string) => ({ inspect: `curl -s ${url}/_sandbox/mail` }),
    };
  },

  fromConfig(config, sandbox) {
    return {
      // Without a user in the config, townhall does not log in; the sink's own stays unused.
      ...(config.smtp.user ? { user: config.smtp.user, pass: config.smtp.pass ?? '' } : {}),
      ...(sandbox.smtpPort !== undefined ? { port: sandbox.smtpPort } : {}),
    };
  },
};
