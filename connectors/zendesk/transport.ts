/**
 * What node-zendesk 6 sends its requests through. Its default transport (cross-fetch) is kept out
 * for three reasons found in its source (dist/index.js, `checkRequestResponse`):
 *
 * - a failure keeps the status and body (`statusCode`, `result`) but drops the headers, so the
 *   Retry-After of a 429 is lost;
 * - any response carrying Retry-After is reported as a 429, a 503 included, and that "error" is
 *   returned as the call's result instead of thrown;
 * - statuses missing from its table (408, 502, 504 ...) pass as successes.
 *
 * So this transport answers every non-2xx itself with a ZendeskHttpError (status, Retry-After,
 * parsed body), which node-zendesk rethrows unchanged under `throwOriginalException`. It also
 * bounds each request with a timeout, which cross-fetch lacks. node-zendesk 6 retries nothing on
 * its own (its `throttle` option only paces `getAll` pages and is left off), so Temporal owns
 * every retry.
 */

/** A non-2xx answer from Zendesk. */
export class ZendeskHttpError extends Error {
  override name = 'ZendeskHttpError';
  constructor(
    readonly status: number,
    readonly retryAfter: string | null,
    /** The parsed JSON error body, or the raw text when it is not JSON. */
    readonly body: unknown,
  ) {
    super(`Zendesk answered HTTP ${status}`);
  }
}

/** No usable answer: refused, reset, dropped mid-answer, timed out, or not JSON. */
export class ZendeskNetworkError extends Error {
  override name = 'ZendeskNetworkError';
  constructor(cause: unknown) {
    super(`no usable answer from Zendesk: ${(cause as Error)?.message ?? String(cause)}`, {
      cause,
    });
  }
}

/** The request node-zendesk hands its transport (plus its own options, secrets included). */
interface TransportRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const DEFAULT_TIMEOUT_MS = 15_000;

/** `transportConfig` for node-zendesk's createClient. */
export function zendeskTransport(timeoutMs = DEFAULT_TIMEOUT_MS) {
  return {
    async transportFn(uri: string, request: TransportRequest): Promise<Response> {
      let response: Response;
      try {
        response = await fetch(uri, {
          method: request.method,
          headers: request.headers,
          ...(request.body !== undefined ? { body: request.body } : {}),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (cause) {
        throw new ZendeskNetworkError(cause);
      }
      if (response.ok) return response;
      let text = '';
      try {
        text = await response.text();
      } catch {
        // The status is what matters; a body cut short is left empty.
      }
      throw new ZendeskHttpError(
        response.status,
        response.headers.get('retry-after'),
        parseBody(text),
      );
    },

    /**
     * The shape node-zendesk reads; a body that breaks off or is not JSON is a network error.
     * `document` hands back the whole JSON body once node-zendesk has read it: node-zendesk keeps
     * only one key of some answers (a ticket update's `ticket`, not its `audit`).
     */
    responseAdapter(response: Response) {
      let body: Promise<unknown> | undefined;
      return {
        json: () =>
          (body ??= response.json().catch((cause: unknown) => {
            throw new ZendeskNetworkError(cause);
          })),
        document: () => body,
        status: response.status,
        statusText: response.statusText,
        headers: { get: (name: string) => response.headers.get(name) },
      };
    },
  };
}
