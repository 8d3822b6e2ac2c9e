import type { CommunityEvent } from './events.js';

/** What arrives at a webhook route: raw bytes (for signatures) and the headers. */
export interface InboundRequest {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** The HTTP method, for signatures that cover it (HubSpot v3). Set by the webhook route. */
  method?: string;
  /**
   * The URL as this server received it (`<protocol>://<Host header><path and query>`), for
   * signatures that cover it (HubSpot v3). Set by the webhook route.
   */
  url?: string;
}

/** Outcome of parsing a verified delivery into a normalized event of type E. */
export type InboundResult<E = CommunityEvent> =
  /**
   * A normalized event. `reply` is the body the platform expects once the event is durable
   * (a Discord interaction response, a Slack slash-command message); absent, townhall answers
   * `{ ok: true }`.
   */
  | {
      kind: 'event';
      event: E;
      reply?: unknown;
      /**
       * For a command: the body that tells its invoker the router's answer (what will happen),
       * in the platform's form (a Slack ephemeral message, a Discord interaction response).
       */
      answer?: (text: string) => unknown;
    }
  /** The platform wants this body echoed back (Slack url_verification, Discord PING). */
  | { kind: 'reply'; body: unknown }
  /** Valid, but no workflow wants this event type. */
  | { kind: 'ignored'; reason: string };

/** Thrown by `parse` for a body that is not what the platform sends: the route answers 400. */
export class MalformedPayloadError extends Error {
  override name = 'MalformedPayloadError';
}

/**
 * A vendor that sends townhall signed webhooks: community platforms produce CommunityEvents,
 * help desks and CRMs BusinessEvents (connectors/business-events.ts).
 */
export interface InboundConnector<Config, E = CommunityEvent> {
  readonly name: string;
  /** True only when the signature over the raw bytes is valid and fresh. Never throws. */
  verify(request: InboundRequest, config: Config, now?: Date): boolean;
  /** Turns a verified body into a normalized event, or throws MalformedPayloadError. */
  /** `config` lets a connector drop deliveries for another workspace or guild. */
  parse(request: InboundRequest, config?: Config): InboundResult<E>;
}
