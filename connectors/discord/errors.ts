import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import type { ConnectorErrorCode } from '../errors.js';
import { ConnectorError, codeForStatus } from '../errors.js';

/**
 * Discord's JSON error codes townhall distinguishes, with what they mean for a caller. Decided by
 * code and status, never by the message text (Discord localizes and rewords it).
 */
const CODES: Record<number, { code: ConnectorErrorCode; label: string }> = {
  10003: { code: 'not_found', label: 'Unknown Channel' },
  10004: { code: 'not_found', label: 'Unknown Guild' },
  10007: { code: 'not_found', label: 'Unknown Member' },
  10008: { code: 'not_found', label: 'Unknown Message' },
  10011: { code: 'not_found', label: 'Unknown Role' },
  10013: { code: 'not_found', label: 'Unknown User' },
  10014: { code: 'invalid', label: 'Unknown Emoji' },
  20028: { code: 'rate_limited', label: 'channel write rate limit' },
  40001: { code: 'auth', label: 'Unauthorized' },
  50001: { code: 'auth', label: 'Missing Access' },
  50013: { code: 'auth', label: 'Missing Permissions' },
  50006: { code: 'invalid', label: 'Cannot send an empty message' },
  // The member closed their DMs: a fact about them, not about townhall's credentials.
  50007: { code: 'invalid', label: 'Cannot send messages to this user' },
  50008: { code: 'invalid', label: 'Cannot send messages in a non-text channel' },
  50035: { code: 'invalid', label: 'Invalid Form Body' },
  130000: { code: 'unavailable', label: 'API resource overloaded' },
  160004: { code: 'conflict', label: 'A thread has already been created for this message' },
};

/** The JSON codes townhall acts on beyond their classification (threads started from messages). */
export const DISCORD_CODE = {
  unknownChannel: 10003,
  unknownMessage: 10008,
  threadAlreadyCreated: 160004,
} as const;

/**
 * A ConnectorError that keeps Discord's JSON error code, for the callers that decide by it
 * (10003 Unknown Channel: a thread not started yet), never by the message text.
 */
export class DiscordFailure extends ConnectorError {
  constructor(
    code: ConnectorErrorCode,
    message: string,
    details: ConstructorParameters<typeof ConnectorError>[2],
    readonly discordCode: number | undefined,
  ) {
    super(code, message, details);
  }
}

/** Discord's JSON error code behind an error, where Discord answered with one. */
export const discordCodeOf = (error: unknown): number | undefined =>
  error instanceof DiscordFailure ? error.discordCode : undefined;

/** What a 429's JSON body says; it is more precise (fractional seconds) than Retry-After. */
export interface RateLimitBody {
  retryAfterSeconds?: number | undefined;
  global?: boolean | undefined;
}

export function readRateLimitBody(text: string): RateLimitBody {
  try {
    const body = JSON.parse(text) as { retry_after?: unknown; global?: unknown };
    return {
      retryAfterSeconds:
        typeof body.retry_after === 'number' && body.retry_after >= 0
          ? body.retry_after
          : undefined,
      global: typeof body.global === 'boolean' ? body.global : undefined,
    };
  } catch {
    return {};
  }
}

function hintFor(status: number, code: number, label: string | undefined): string {
  if (status === 401)
    return 'Discord refused the bot token: check connectors.discord.botToken (Bot page)';
  const what = label ? ` ${label}` : '';
  return `HTTP ${status}, code ${code}${what}`;
}

/** Errors that mean the request got no HTTP answer: refused, reset, timed out, DNS. */
function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return true;
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown })?.code;
  return typeof code === 'string' && (/^E[A-Z]+$/.test(code) || code.startsWith('UND_ERR'));
}

/**
 * Maps what @discordjs/rest throws to a ConnectorError:
 * - RateLimitError (a 429 answer, or a request the client held back because the bucket or the
 *   global limit is exhausted) → rate_limited, waiting for the 429 body's `retry_after` and for
 *   the bucket reset the client read from Retry-After / X-RateLimit-Reset-After(/-Global);
 * - DiscordAPIError (4xx with Discord's `{ code, message }`) → by JSON code, else by status;
 * - HTTPError (5xx) and network failures → unavailable.
 * Anything else is a programming error and is rethrown as is. API errors are not kept as the
 * cause: @discordjs/rest's errors carry the request body, i.e. message text about members.
 */
export function discordError(action: string, error: unknown, body: RateLimitBody = {}): Error {
  if (error instanceof ConnectorError) return error;
  if (error instanceof RateLimitError) {
    const global = body.global ?? error.global;
    // The longest of what Discord said in the body and what the client itself will hold the
    // bucket (or every bucket, for the global limit) closed for: retrying sooner only earns
    // another rejection, from the client or from Discord.
    const bodyMs = body.retryAfterSeconds !== undefined ? body.retryAfterSeconds * 1000 : 0;
    const clientMs = Math.max(error.timeToReset, error.sublimitTimeout);
    const retryAfterMs = Math.ceil(Math.max(bodyMs, clientMs > 0 ? clientMs : error.retryAfter, 0));
    return new ConnectorError(
      'rate_limited',
      `Discord ${action} rate limited (${global ? 'global limit' : `bucket ${error.route}, scope ${error.scope}`}); retry in ${retryAfterMs} ms`,
      { vendor: 'discord', status: 429, retryAfterMs },
    );
  }
  if (error instanceof DiscordAPIError) {
    const known = typeof error.code === 'number' ? CODES[error.code] : undefined;
    const code =
      error.status === 429 ? 'rate_limited' : (known?.code ?? codeForStatus(error.status));
    const raw = error.rawError as { retry_after?: unknown };
    const retryAfterMs =
      code === 'rate_limited' && typeof raw.retry_after === 'number'
        ? Math.ceil(raw.retry_after * 1000)
        : undefined;
    return new DiscordFailure(
      code,
      `Discord ${action} failed: ${hintFor(error.status, Number(error.code), known?.label)}`,
      { vendor: 'discord', status: error.status, retryAfterMs },
      typeof error.code === 'number' ? error.code : undefined,
    );
  }
  if (error instanceof HTTPError)
    return new ConnectorError('unavailable', `Discord ${action} failed: HTTP ${error.status}`, {
      vendor: 'discord',
      status: error.status,
    });
  if (isNetworkError(error))
    return new ConnectorError('unavailable', `Discord ${action}: no response`, {
      vendor: 'discord',
      cause: error,
    });
  return error instanceof Error ? error : new Error(String(error));
}
