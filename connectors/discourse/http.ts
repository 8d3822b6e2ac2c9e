import { ConnectorError } from '../errors.js';
import type { DiscourseConfig } from './config.js';
import { discourseHttpError, discourseNetworkError } from './errors.js';

export interface DiscourseRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  /** Statuses the caller handles itself instead of an error (e.g. 404 on a lookup). */
  accept?: readonly number[];
  /** Usernames the request names: Discourse quotes them in its errors, which mask them. */
  names?: readonly string[];
}

export interface DiscourseResponse {
  status: number;
  json: unknown;
}

const TIMEOUT_MS = 15_000;

/**
 * One Discourse API call with the admin key headers. Retries are Temporal's job (it honours the
 * Retry-After carried on the ConnectorError), so this never retries on its own.
 */
export function discourseHttp(config: DiscourseConfig) {
  const base = config.baseUrl.replace(/\/+$/, '');
  return async function call(
    action: string,
    request: DiscourseRequest,
  ): Promise<DiscourseResponse> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${base}${request.path}`, {
        method: request.method,
        headers: {
          'Api-Key': config.apiKey,
          'Api-Username': config.apiUsername,
          accept: 'application/json',
          ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      throw discourseNetworkError(action, error);
    }
    if (!response.ok && !request.accept?.includes(response.status))
      throw discourseHttpError(action, response, text, request.names);
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // A 2xx that is not JSON is a proxy or login page, not the API: treat it as an outage.
      if (response.ok)
        throw new ConnectorError('unavailable', `Discourse ${action}: answer is not JSON`, {
          vendor: 'discourse',
          status: response.status,
        });
    }
    return { status: response.status, json };
  };
}

export type DiscourseCall = ReturnType<typeof discourseHttp>;
