import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MIN_ADMIN_TOKEN_LENGTH } from '../server/admin-auth.js';

/**
 * `townhall start` without TOWNHALL_ADMIN_TOKEN: a token of its own, kept in the data folder
 * (readable by this user only) so the console and the API work on the embedded defaults and a
 * browser's session survives a restart. The banner names the file, never the token.
 */
export function devAdminToken(dataDir: string): { token: string; file: string } {
  const file = path.join(dataDir, 'admin-token');
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= MIN_ADMIN_TOKEN_LENGTH) return { token: kept, file };
  } catch {
    // none yet: made below
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  // `mode` applies only to a new file: one left too short (and perhaps too open) is narrowed.
  chmodSync(file, 0o600);
  return { token, file };
}
