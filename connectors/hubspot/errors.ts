import { ConnectorError, codeForStatus } from '../errors.js';
import { rateLimitWaitMs } from './rate-limits.js';

interface HubSpotApiException {
  code: number;
  headers?: Record<string, string>;
  body?: unknown;
}

function isApiException(error: unknown): error is HubSpotApiException {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'number'
  );
}

const HINT: Partial<Record<number, string>> = {
  401: 'check connectors.hubspot.accessToken (a private app token with crm.objects.contacts.write)',
  403: 'the HubSpot token lacks a scope this call needs (crm.objects.contacts.read/write, crm.schemas.contacts.write for properties)',
};

/** A string field of HubSpot's error body (`category`, `policyName`), if present. */
function bodyField(body: unknown, field: string): string | undefined {
  if (typeof body !== 'object' || body === null || !(field in body)) return undefined;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Maps anything the HubSpot SDK throws to a ConnectorError, by status code only. A 429 carries
 * the wait HubSpot implies: Retry-After when sent, the daily reset when the daily allowance is
 * spent, else the rolling burst window (X-HubSpot-RateLimit-Interval-Milliseconds).
 */
export function hubspotError(error: unknown, action: string, timeZone = 'UTC'): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (!isApiException(error)) {
    // No HTTP status: the request never got an answer (refused, reset, DNS, timeout).
    return new ConnectorError('unavailable', `HubSpot ${action}: no response`, {
      vendor: 'hubspot',
      cause: error,
    });
  }
  const headers = Object.fromEntries(
    Object.entries(error.headers ?? {}).map(([key, value]) => [key.toLowerCase(), value]),
  );
  const category = bodyField(error.body, 'category');
  const policyName = bodyField(error.body, 'policyName');
  const hint =
    HINT[error.code] ??
    [category ? `HubSpot says ${category}` : `HTTP ${error.code}`, policyName]
      .filter(Boolean)
      .join(', ');
  return new ConnectorError(codeForStatus(error.code), `HubSpot ${action} failed: ${hint}`, {
    vendor: 'hubspot',
    status: error.code,
    retryAfterMs:
      error.code === 429
        ? rateLimitWaitMs(
            {
              retryAfter: headers['retry-after'],
              intervalMs: headers['x-hubspot-ratelimit-interval-milliseconds'],
              dailyRemaining: headers['x-hubspot-ratelimit-daily-remaining'],
              policyName,
            },
            timeZone,
          )
        : undefined,
  });
}
