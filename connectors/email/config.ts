import { z } from 'zod';
import { port } from '../config-fields.js';

/** `connectors.email.smtp`: the relay townhall sends through. */
export const smtpConfigSchema = z.strictObject({
  host: z.string().min(1),
  port,
  secure: z
    .boolean()
    .default(false)
    .describe('true for implicit TLS (port 465); STARTTLS is used when offered'),
  user: z.string().optional(),
  pass: z.string().optional(),
  requireTLS: z
    .boolean()
    .default(false)
    .describe('Refuse to send unless the server upgrades the connection with STARTTLS'),
  tls: z
    .strictObject({
      rejectUnauthorized: z
        .boolean()
        .default(true)
        .describe('false accepts a self-signed certificate (the sandbox SMTP sink)'),
    })
    .prefault({}),
});
export type SmtpConfig = z.output<typeof smtpConfigSchema>;
export type SmtpConfigInput = z.input<typeof smtpConfigSchema>;

/** `connectors.email`: who townhall mails as, through which relay, with which templates. */
export const emailConfigSchema = z.strictObject({
  from: z.string().min(3).describe('Sender, e.g. "Townhall <hello@example.com>"'),
  templatesDir: z
    .string()
    .default('templates')
    .describe('Folder of Liquid templates, relative to the config file'),
  smtp: smtpConfigSchema,
  unsubscribeSecret: z
    .string()
    .min(16, 'use at least 16 random characters (e.g. `openssl rand -hex 32`)')
    .describe('Signs the per-member unsubscribe links; keep it in the environment'),
  unsubscribeMailto: z
    .email()
    .optional()
    .describe(
      'Mailbox in List-Unsubscribe for mail clients that unsubscribe by email; defaults to the sender',
    ),
});
export type EmailConfig = z.output<typeof emailConfigSchema>;
