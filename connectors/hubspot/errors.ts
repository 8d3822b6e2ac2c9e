import { ConnectorError, codeForStatus, parseRetryAfter } from '../errors.js';

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

/** HubSpot's 429s carry the rolling window; wait for it when no Retry-After is given. */
function retryAfterMs(headers: Record<string, string>): number | undefined {
  const explicit = parseRetryAfter(headers['retry-after']);
  if (explicit !== undefined) return explicit;
  const interval = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
  return Number.isFinite(interval) && interval > 0 ? interval : undefined;
}

const HINT: Partial<Record<number, string>> = {
  401: 'check connectors.hubspot.accessToken (a private app token with crm.objects.contacts.write)',
  403: 'the HubSpot token lacks a scope this call needs (crm.objects.contacts.read/write)',
};

/** Maps anything the HubSpot SDK throws to a ConnectorError, by status code only. */
export function hubspotError(error: unknown, action: string): ConnectorError {
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
  const category =
    typeof error.body === 'object' && error.body !== null && 'category' in error.body
      ? String(error.body.category)
      : undefined;
  const hint = HINT[error.code] ?? (category ? `HubSpot says ${category}` : `HTTP ${error.code}`);
  return new ConnectorError(codeForStatus(error.code), `HubSpot ${action} failed: ${hint}`, {
    vendor: 'hubspot',
    status: error.code,
    retryAfterMs: error.code === 429 ? retryAfterMs(headers) : undefined,
  });
}
