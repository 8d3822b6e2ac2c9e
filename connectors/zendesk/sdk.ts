import zendesk from 'node-zendesk';
import type { ZendeskClient } from 'node-zendesk';
import type { z } from 'zod';
import type { ZendeskConfig } from './config.js';
import { accountUrl } from './config.js';
import { unexpectedAnswer, zendeskError } from './errors.js';
import { DEFAULT_TIMEOUT_MS, zendeskTransport } from './transport.js';

/** What node-zendesk resolves a single request with (its typings say NodeModule). */
interface RawAnswer {
  response: {
    status: number;
    headers: { get(name: string): string | null };
    /** From townhall's transport: the whole JSON body, if there was one. */
    document(): Promise<unknown> | undefined;
  };
  result: unknown;
}

export interface Answer<T> {
  status: number;
  header(name: string): string | null;
  /** The part of the answer node-zendesk returns (e.g. `ticket`), checked against the schema. */
  data: T;
  /** The whole JSON answer as Zendesk sent it (e.g. `{ ticket, audit }`), unchecked. */
  document: unknown;
}

export interface ZendeskApi {
  /** The official client, with `headers` added to each of its requests (e.g. Idempotency-Key). */
  client(headers?: Record<string, string>): ZendeskClient;
  /** One request: failures become ConnectorErrors, the result is checked against `schema`. */
  one<T>(
    action: string,
    schema: z.ZodType<T>,
    request: (client: ZendeskClient) => Promise<unknown>,
    headers?: Record<string, string>,
  ): Promise<Answer<T>>;
  /** A paginated list (node-zendesk follows the pages); each item is checked against `schema`. */
  all<T>(
    action: string,
    schema: z.ZodType<T>,
    request: (client: ZendeskClient) => Promise<unknown>,
  ): Promise<T[]>;
}

export interface ZendeskApiOptions {
  /** Per request; the default is 15 s. */
  timeoutMs?: number;
}

/**
 * node-zendesk pointed at `<account>/api/v2` with API token auth (`{email}/token:{api token}`),
 * errors thrown as they are (throwOriginalException) through townhall's transport.
 */
export function zendeskApi(config: ZendeskConfig, options: ZendeskApiOptions = {}): ZendeskApi {
  const base = {
    username: config.email,
    token: config.apiToken,
    endpointUri: `${accountUrl(config)}/api/v2`,
    throwOriginalException: true,
    transportConfig: zendeskTransport(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  };
  const shared = zendesk.createClient(base);
  const client = (headers?: Record<string, string>) =>
    headers ? zendesk.createClient({ ...base, customHeaders: headers }) : shared;

  function check<T>(schema: z.ZodType<T>, value: unknown, action: string): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw unexpectedAnswer(action, parsed.error);
    return parsed.data;
  }

  return {
    client,

    async one(action, schema, request, headers) {
      let answer: RawAnswer;
      try {
        answer = (await request(client(headers))) as RawAnswer;
      } catch (error) {
        throw zendeskError(error, action);
      }
      return {
        status: answer.response.status,
        header: (name) => answer.response.headers.get(name),
        data: check(schema, answer.result, action),
        document: await answer.response.document(),
      };
    },

    async all(action, schema, request) {
      let items: unknown;
      try {
        items = await request(client());
      } catch (error) {
        throw zendeskError(error, action);
      }
      if (!Array.isArray(items)) throw unexpectedAnswer(action, new Error('not a list'));
      return items.map((item) => check(schema, item, action));
    },
  };
}
