/** The one error type every connector throws; activities turn it into Temporal failures. */
export type ConnectorErrorCode =
  'auth' | 'invalid' | 'not_found' | 'conflict' | 'rate_limited' | 'unavailable';

const RETRYABLE: ReadonlySet<ConnectorErrorCode> = new Set(['rate_limited', 'unavailable']);

export class ConnectorError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly code: ConnectorErrorCode,
    message: string,
    readonly details: {
      vendor: string;
      status?: number;
      retryAfterMs?: number;
      cause?: unknown;
    } = {
      vendor: 'unknown',
    },
  ) {
    super(message, { cause: details.cause });
    this.name = 'ConnectorError';
    this.retryable = RETRYABLE.has(code);
  }

  get vendor(): string {
    return this.details.vendor;
  }
  get status(): number | undefined {
    return this.details.status;
  }
  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}

/** Classifies an HTTP status the same way for every vendor. */
export function codeForStatus(status: number): ConnectorErrorCode {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500 || status === 408) return 'unavailable';
  return 'invalid';
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
