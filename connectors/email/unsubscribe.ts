import { createHmac } from 'node:crypto';
import { sameBytes } from '../signatures.js';

/**
 * Per-member unsubscribe tokens: `<member id, base64url>.<HMAC-SHA256, base64url>`. Anyone with
 * the link may unsubscribe that one member and nobody else; nothing is stored to issue them.
 * The purpose prefix keeps these MACs from being valid for anything else signed with the key.
 */
const PURPOSE = 'townhall:unsubscribe:v1:';

function mac(secret: string, memberId: string): Buffer {
  return createHmac('sha256', secret)
    .update(PURPOSE + memberId)
    .digest();
}

export function unsubscribeToken(secret: string, memberId: string): string {
  return `${Buffer.from(memberId).toString('base64url')}.${mac(secret, memberId).toString('base64url')}`;
}

/** The member id the token was made for, or undefined when it is malformed or tampered with. */
export function verifyUnsubscribeToken(secret: string, token: string): string | undefined {
  const match = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return undefined;
  const memberId = Buffer.from(match[1]!, 'base64url').toString('utf8');
  const given = Buffer.from(match[2]!, 'base64url');
  const expected = mac(secret, memberId);
  return sameBytes(given, expected) ? memberId : undefined;
}

export interface UnsubscribeSettings {
  secret: string;
  /** townhall's public base URL, e.g. https://townhall.example.com */
  baseUrl: string;
  /** Mailbox for mail clients that unsubscribe by email (RFC 2369). */
  mailto: string;
}

/**
 * RFC 2369 List-Unsubscribe (mailto and https) and RFC 8058 one-click headers for one member.
 * Mail providers POST `List-Unsubscribe=One-Click` to the https link without any page visit.
 */
export function unsubscribeHeaders(
  settings: UnsubscribeSettings,
  memberId: string,
): Record<string, string> {
  const token = unsubscribeToken(settings.secret, memberId);
  const url = `${settings.baseUrl.replace(/\/+$/, '')}/unsubscribe/${token}`;
  const mailto = `mailto:${settings.mailto}?subject=${encodeURIComponent(`unsubscribe ${token}`)}`;
  return {
    'List-Unsubscribe': `<${mailto}>, <${url}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}
