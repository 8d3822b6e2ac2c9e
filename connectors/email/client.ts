import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { ConnectorError } from '../errors.js';
import type { OutgoingEmail } from '../ports.js';
import type { SmtpConfig } from './config.js';

/** The SMTP settings a transport needs: host and port, the rest as in connectors.email.smtp. */
export type SmtpSettings = Pick<SmtpConfig, 'host' | 'port'> &
  Partial<Omit<SmtpConfig, 'tls'>> & { tls?: { rejectUnauthorized?: boolean | undefined } };

/** One SMTP relay. SMTP has no idempotency of its own: callers guard sends with the ledger. */
export interface EmailConnector {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
  close(): void;
}

export function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'townhall.local';
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}

interface SmtpFailure {
  code?: string;
  /** Node's TLS error code (CERT_HAS_EXPIRED ...) when the socket failed on the certificate. */
  originalCode?: string;
  responseCode?: number;
}

/** Certificate problems do not heal by retrying: they need the tls settings or a new cert. */
const CERT_ERRORS = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Nodemailer reports SMTP reply codes and socket error codes; classify by those, not by text. */
function smtpError(error: unknown): ConnectorError {
  const { code, originalCode, responseCode } = (error ?? {}) as SmtpFailure;
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
  if (originalCode && CERT_ERRORS.has(originalCode)) {
    return new ConnectorError(
      'invalid',
      `SMTP server certificate not accepted (${originalCode}): fix the certificate, or set connectors.email.smtp.tls`,
      details,
    );
  }
  if (code === 'ETLS') {
    return new ConnectorError(
      'invalid',
      'SMTP server did not offer STARTTLS, which connectors.email.smtp.requireTLS demands',
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

export function createEmailConnector(config: SmtpSettings): EmailConnector {
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure ?? false,
    ...(config.requireTLS ? { requireTLS: true } : {}),
    ...(config.tls?.rejectUnauthorized === false ? { tls: { rejectUnauthorized: false } } : {}),
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
          ...(email.headers ? { headers: email.headers } : {}),
        });
        return { messageId };
      } catch (error) {
        throw smtpError(error);
      }
    },
    close: () => transport.close(),
  };
}
