import type { AddressObject } from 'mailparser';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SandboxMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string | undefined;
  messageId: string | undefined;
  headers: Record<string, string>;
  /** Whether the session was upgraded with STARTTLS, and who logged in (if anyone). */
  tls: boolean;
  authenticatedAs: string | undefined;
  receivedAt: string;
}

export interface SmtpSinkOptions {
  /** The one login AUTH accepts; unauthenticated senders are still accepted, like a local relay. */
  user: string;
  pass: string;
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list
    .flatMap((entry) => entry.value.map((address) => address.address ?? ''))
    .filter(Boolean);
}

/**
 * An SMTP sink: accepts every message, parses it, and keeps it for inspection. It offers
 * STARTTLS (smtp-server's built-in self-signed certificate) and AUTH PLAIN/LOGIN, so the
 * production transport settings are exercised against it.
 */
export function createSmtpSink(options: SmtpSinkOptions) {
  const mail: SandboxMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.pass)
        callback(null, { user: auth.username });
      else
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mail.push({
            from: parsed.from?.text ?? '',
            to: addresses(parsed.to),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : undefined,
            messageId: parsed.messageId,
            headers: Object.fromEntries(
              parsed.headerLines.map((line) => [
                line.key,
                // Unfolded (RFC 5322 2.2.3): long headers arrive wrapped over several lines.
                line.line
                  .slice(line.key.length + 1)
                  .replace(/\r?\n(?=[ \t])/g, '')
                  .trim(),
              ]),
            ),
            tls: Boolean(session.secure),
            authenticatedAs: typeof session.user === 'string' ? session.user : undefined,
            receivedAt: new Date().toISOString(),
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });

  // A client that vanishes mid-session (a worker SIGKILLed during STARTTLS) is its own
  // business, as on a real relay: without a listener smtp-server's 'error' ends the process.
  server.on('error', () => undefined);

  return {
    listen: (port: number) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          const address = server.server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    list: () => [...mail],
    reset: () => {
      mail.length = 0;
    },
  };
}
