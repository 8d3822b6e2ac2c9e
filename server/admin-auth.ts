import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { sameBytes } from '../connectors/signatures.js';

/** Shorter admin tokens are refused at start-up: they could be guessed. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/**
 * The admin API's token from TOWNHALL_ADMIN_TOKEN, or undefined when it is unset (the admin
 * routes are then not mounted at all). Throws on a token too short to be a secret; the message
 * never contains the token.
 */
export function adminTokenFrom(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = env.TOWNHALL_ADMIN_TOKEN;
  if (!token) return undefined;
  if (token.length < MIN_ADMIN_TOKEN_LENGTH)
    throw new Error(
      `TOWNHALL_ADMIN_TOKEN is too short (at least ${MIN_ADMIN_TOKEN_LENGTH} characters; try: openssl rand -hex 32)`,
    );
  return token;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * `Authorization: Bearer <token>`, compared in constant time: both sides are hashed first, so
 * the comparison sees equal lengths and learns nothing about the token's length either. A
 * missing or wrong token is a 401; neither the expected nor the given token is ever logged.
 */
export function bearerAuth(token: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (match?.[1] && sameBytes(digest(match[1]), expected)) {
      next();
      return;
    }
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="townhall"')
      .json({ error: 'missing or wrong bearer token (TOWNHALL_ADMIN_TOKEN)' });
  };
}
