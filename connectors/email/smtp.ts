import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { ConnectorError } from '../errors.js';
import type { ActionSpec } from '../types.js';
import type { RenderedEmail } from './templates.js';

export const smtpConfigSchema = z.object({
  host: z.string().min(1),
  port: z.number().int(),
  secure: z.boolean().default(false),
  user: z.string().optional(),
  pass: z.string().optional(),
});
export type SmtpConfig = z.infer<typeof smtpConfigSchema>;

export interface OutgoingEmail extends RenderedEmail {
  from: string;
  to: string;
  /** Stable per intent, so receivers and our sandbox can tell a resend from a new message. */
  idempotencyKey: string;
}

export interface EmailConnector {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
  close(): void;
}

/** SMTP has no idempotency of its own; callers guard sends with the deliveries ledger. */
export const emailActions = { send: { idempotent: false } } as const satisfies Record<
  'send',
  ActionSpec
>;

export function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'townhall.local';
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
}

/** Nodemailer reports SMTP reply codes and socket error codes; classify by those, not by text. */
function smtpError(error: unknown): ConnectorError {
  const { code, responseCode } = (error ?? {}) as SmtpFailure;
  const details = {
    vendor: 'email',
    cause: error,
    ...(responseCode ? { status: responseCode } : {}),
  };
  if (code === 'EAUTH' || responseCode === 535 || responseCode === 530) {
    return new ConnectorError(
      'auth',
      'SMTP login refused: check connectors.email.smtp.user and pass',
      details,
    );
  }
  if (responseCode && responseCode >= 500) {
    return new ConnectorError(
      'invalid',
      `SMTP server rejected the message (${responseCode})`,
      details,
    );
  }
  return new ConnectorError(
    'unavailable',
    `SMTP server unavailable (${responseCode ?? code ?? 'no answer'})`,
    details,
  );
}

export function createEmailConnector(config: SmtpConfig): EmailConnector {
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    ...(config.user ? { auth: { user: config.user, pass: config.pass ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });

  return {
    async send(email) {
      const messageId = messageIdFor(email.idempotencyKey, email.from);
      try {
        await transport.sendMail({
          from: email.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          ...(email.html ? { html: email.html } : {}),
          messageId,
        });
        return { messageId };
      } catch (error) {
        throw smtpError(error);
      }
    },
    close: () => transport.close(),
  };
}
