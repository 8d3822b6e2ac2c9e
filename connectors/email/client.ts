import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
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

/** A line break of any kind: a header field's value must be one line (RFC 5322 2.2). */
const LINE_BREAK = /[\r\n\u2028\u2029\u0085]/;

/**
 * Refuses a message whose subject, addresses or headers carry a line break, before anything is
 * sent: in a header, a line break starts a new header ("…\r\nBcc: someone@else"). Nodemailer
 * would fold it into a space; townhall refuses instead, so a template or a code path that lets
 * one through is found rather than papered over. (Member text is folded onto one line when a
 * subject is rendered, activities/templates.ts, so it never gets here.) The error names the
 * field, never its value, which may be a member's name or address.
 */
export function checkHeaders(email: OutgoingEmail): void {
  const fields: [string, string][] = [
    ['subject', email.subject],
    ['from', email.from],
    ['to', email.to],
    ...Object.entries(email.headers ?? {}).flatMap(([name, value]): [string, string][] => [
      [`header name "${name.replace(/[^\w-]/g, '?')}"`, name],
      [`header ${name.replace(/[^\w-]/g, '?')}`, value],
    ]),
  ];
  for (const [field, value] of fields)
    if (LINE_BREAK.test(value))
      throw new ConnectorError('invalid', `email ${field} contains a line break: refused`, {
        vendor: 'email',
      });
}

/** Nodemailer's options plus the gate the 'stream' plugin puts on this one message. */
type CommitOptions = Mail.Options & { commitGate?: Transform };

/**
 * Passes the message through and, once all of it went by, awaits `commit` before letting the
 * stream end. SMTP commits a message at the final dot of DATA, which nodemailer writes only when
 * the stream ends: a rejected commit fails the stream instead, nodemailer closes the connection
 * without the dot, and the server discards the message (RFC 5321 4.1.1.4).
 */
function commitGate(commit: () => Promise<void>): Transform {
  // `commit` rejects with an Error (the stand-in in send below).
  return new Transform({
    transform(chunk, _encoding, callback) {
      callback(null, chunk);
    },
    flush(callback) {
      commit().then(
        () => callback(),
        (error: Error) => callback(error),
      );
    },
  });
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

  transport.use('stream', (mail, done) => {
    const { commitGate } = mail.data as CommitOptions;
    if (commitGate) mail.message.transform(commitGate);
    done();
  });

  return {
    async send(email) {
      checkHeaders(email);
      const messageId = messageIdFor(email.idempotencyKey, email.from);
      let refusedCommit: Error | undefined;
      const commit = email.commit;
      const gate = commit
        ? commitGate(() =>
            commit().catch((error: unknown) => {
              // Nodemailer rewrites the code of the error it is handed: it gets a stand-in.
              refusedCommit = error instanceof Error ? error : new Error(String(error));
              throw new Error('commit refused: the message is abandoned before its final dot');
            }),
          )
        : undefined;
      const options: CommitOptions = {
        from: email.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        ...(email.html ? { html: email.html } : {}),
        messageId,
        ...(email.headers ? { headers: email.headers } : {}),
        ...(gate ? { commitGate: gate } : {}),
      };
      try {
        await transport.sendMail(options);
        return { messageId };
      } catch (error) {
        // The gate refused: the connection closed without the final dot, so nothing was sent.
        if (refusedCommit !== undefined) throw refusedCommit;
        throw smtpError(error);
      }
    },
    close: () => transport.close(),
  };
}
