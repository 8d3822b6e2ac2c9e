import type { z } from 'zod';
import type { FreshdeskConfig } from './config.js';
import { apiUrl } from './config.js';
import { freshdeskHttpError, freshdeskNetworkError, unexpectedAnswer } from './errors.js';

/**
 * Freshdesk has no official Node SDK: this is the whole client transport, the platform's fetch
 * with API-key basic auth (`<api key>:X`). It retries nothing: Temporal owns retries and honours
 * the Retry-After a 429 carries (see errors.ts).
 */

/** The account's request budget as the last answer reported it (X-RateLimit-* headers). */
export interface RateLimit {
  total: number | undefined;
  remaining: number | undefined;
}

export interface FreshdeskHttpOptions {
  /** Per request; a create that outlives it is retried by Temporal (and deduplicated). */
  timeoutMs?: number;
}

export interface Call<T> {
  action: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Under /api/v2, e.g. /tickets/5/reply. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** The answer's shape; absent for 204 No Content. */
  answer?: z.ZodType<T>;
}

const numberHeader = (value: string | null) => {
  const parsed = value === null ? NaN : Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
};

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function freshdeskHttp(
  config: Pick<FreshdeskConfig, 'domain' | 'baseUrl' | 'apiKey'>,
  options: FreshdeskHttpOptions = {},
) {
  const base = apiUrl(config);
  const authorization = `Basic ${Buffer.from(`${config.apiKey}:X`).toString('base64')}`;
  let rateLimit: RateLimit = { total: undefined, remaining: undefined };

  async function call<T>(request: Call<T>): Promise<T> {
    const url = new URL(`${base}${request.path}`);
    for (const [key, value] of Object.entries(request.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: request.method,
        headers: {
          authorization,
          accept: 'application/json',
          ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
      });
      text = await response.text();
    } catch (error) {
      throw freshdeskNetworkError(request.action, error);
    }
    rateLimit = {
      total: numberHeader(response.headers.get('x-ratelimit-total')),
      remaining: numberHeader(response.headers.get('x-ratelimit-remaining')),
    };
    const body = parse(text);
    if (!response.ok)
      throw freshdeskHttpError(
        request.action,
        response.status,
        body,
        response.headers.get('retry-after'),
      );
    if (!request.answer) return undefined as T;
    const parsed = request.answer.safeParse(body);
    if (!parsed.success) throw unexpectedAnswer(request.action, parsed.error);
    return parsed.data;
  }

  return {
    call,
    /** What the last answer said of the account's budget; undefined before any call. */
    rateLimit: (): RateLimit => ({ ...rateLimit }),
  };
}

export type FreshdeskHttp = ReturnType<typeof freshdeskHttp>;
