import { createHash, createHmac } from 'node:crypto';
import type { Request } from 'express';
import { sameBytes } from '../connectors/signatures.js';

/** Browser sessions last a working day; the token itself is never stored in the browser. */
export const SESSION_MS = 12 * 60 * 60 * 1000;

/**
 * Session cookies signed with the admin token: `<expiry>.<HMAC of it under a key derived from
 * the admin token and the purpose>`. Changing the admin token ends every session, and a cookie
 * issued for one purpose (the codec) is worthless for another (the console).
 */
export function sessions(token: string, purpose: string) {
  const key = createHash('sha256').update(`townhall ${purpose} session\0${token}`).digest();
  const mac = (expires: string) => createHmac('sha256', key).update(expires).digest('base64url');
  return {
    issue: (now: number) => {
      const expires = String(now + SESSION_MS);
      return `${expires}.${mac(expires)}`;
    },
    valid(cookie: string | undefined, now: number): boolean {
      const match = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(cookie ?? '');
      if (!match || Number(match[1]) <= now) return false;
      return sameBytes(Buffer.from(match[2]!), Buffer.from(mac(match[1]!)));
    },
  };
}

/** Whether `given` is the admin token, in constant time over equal-length digests. */
export function isAdminToken(given: unknown, token: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return typeof given === 'string' && sameBytes(digest(given), digest(token));
}

export const cookieOf = (req: Request, name: string) =>
  (req.get('cookie') ?? '')
    .split(';')
    .map((part) => part.trim().split('='))
    .find(([key]) => key === name)?.[1];

/** Behind TLS (directly or through a proxy that says so): cookies get `Secure`. */
export const overTls = (req: Request) => req.secure || req.get('x-forwarded-proto') === 'https';
