import type { BudgetFactory } from './budget.js';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Emulator, EmulatorDefinition } from '../sandbox/emulator.js';
import type { BusinessEvent } from './business-events.js';
import type { CommunityEvent } from './events.js';
import type { Capabilities, CapabilityName } from './ports.js';
import type { InboundConnector } from './types.js';

/**
 * The one contract every vendor folder fulfils: `connectors/<vendor>/index.ts` exports a
 * descriptor, and `connectors/index.ts` lists them. Everything outside the vendor's folder
 * (config schema, webhook routes, capability wiring, log redaction, the sandbox) loops over that
 * list, so a new vendor is a folder plus a line.
 */
export interface ConnectorDescriptor<
  Id extends string = string,
  Config = unknown,
  Client = unknown,
  Sandbox extends AnyEmulatorDefinition = never,
> {
  /** The key under `connectors:` in the config, in routes (/webhooks/<id>) and in task queues. */
  readonly id: Id;
  /** How people call it, in messages: "Slack", "HubSpot". */
  readonly title: string;
  /** Its config section, with the descriptions the JSON Schema and `townhall validate` show. */
  readonly config: z.ZodType<Config, unknown>;
  /** Signed webhooks it receives. */
  readonly inbound?: readonly InboundRoute<NoInfer<Config>>[];
  /** A long-lived inbound connection (a gateway, a poller): runs in the single gateway role. */
  readonly listener?: ListenerDefinition<NoInfer<Config>>;
  /**
   * Feeds read by polling, for a platform that sends no webhooks: each feed is read by one
   * durable poller workflow (workflows/community-poll/) that keeps the feed's cursor.
   */
  readonly poller?: PollerDefinition<NoInfer<Config>, NoInfer<Client>>;
  /** Builds the vendor client once, shared by every capability below. */
  connect?(config: NoInfer<Config>, context: ConnectorContext): Client;
  /** What workflows may ask of it. */
  readonly capabilities?: {
    readonly [K in CapabilityName]?: CapabilityProvider<
      NoInfer<Config>,
      NoInfer<Client>,
      Capabilities[K]
    >;
  };
  /** Request headers that carry its signatures or secrets: logs print them as [redacted]. */
  readonly redactHeaders?: readonly string[];
  /**
   * The most activities per second its task queue may start across every worker (the server
   * enforces it): its own queue keeps one vendor's limit from slowing the others. Unset: the
   * vendor's calls share the main task queue.
   */
  readonly activitiesPerSecond?: number;
  /**
   * A link to a member's profile on the platform, where one can be made (`members show`, the
   * members API). `config` is undefined when the connector is not configured.
   */
  profileUrl?(
    config: NoInfer<Config> | undefined,
    identity: { userId: string; communityId: string; handle: string | null },
  ): string | undefined;
  /** Its local emulator (sandbox/<vendor>/), run by `townhall start` and the tests. */
  readonly sandbox?: Sandbox;
}

/** An emulator definition of any vendor. */
export type AnyEmulatorDefinition = EmulatorDefinition<unknown, object, Emulator>;

/**
 * A descriptor of any vendor, as the registry holds them. Every use of Config and Client inside
 * a descriptor is a method parameter or a result, so a vendor's descriptor is assignable here.
 */
export type AnyConnector = ConnectorDescriptor<string, unknown, unknown, AnyEmulatorDefinition>;

/** What capabilities and listeners get from the process that runs them. */
export interface ConnectorContext {
  logger: Logger;
  /** Folder of the config file: relative paths in a connector's config resolve against it. */
  configDir: string;
  /** Where members reach townhall (links in messages). */
  publicUrl: string;
  /** townhall's data folder, for state a connector keeps on disk (the gateway's spool). */
  dataDir: string;
  /** Request budgets shared by every worker (the store's); absent, requests are not paced. */
  budgets?: BudgetFactory | undefined;
}

export interface CapabilityProvider<Config, Client, Port> {
  /**
   * What a config section needs beyond being valid to provide this, e.g. Slack DMs need the bot
   * token: `what` is phrased to follow "with" ("a botToken").
   */
  readonly requires?: { readonly what: string; met(config: Config): boolean };
  create(client: Client, config: Config): Port;
}

interface InboundRouteBase<Config> {
  /** Under the server, e.g. /webhooks/slack/commands. */
  readonly path: string;
  /** Mounted only when this says so (HubSpot's needs the app's client secret). */
  enabled?(config: Config): boolean;
}

/** A signed webhook: community platforms send CommunityEvents, help desks and CRMs BusinessEvents. */
export type InboundRoute<Config> =
  | (InboundRouteBase<Config> & {
      readonly family: 'community';
      readonly receiver: InboundConnector<Config, CommunityEvent>;
    })
  | (InboundRouteBase<Config> & {
      readonly family: 'business';
      readonly receiver: InboundConnector<Config, BusinessEvent | EventBatch>;
    });

/** One delivery that carries several events (HubSpot batches), recorded one by one in order. */
export interface EventBatch {
  eventId: string;
  events: readonly BusinessEvent[];
}

export interface RunningListener {
  /** Resolves once connected; rejects when it cannot connect at all. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export interface ListenerDefinition<Config> {
  start(
    config: Config,
    context: ConnectorContext & { route: (event: CommunityEvent) => Promise<unknown> },
  ): RunningListener;
}

/** What one poll of a feed found, and where reading stands after it. */
export interface PolledPage {
  /** New events, oldest first: each is routed before the cursor moves past it. */
  events: CommunityEvent[];
  /** JSON the connector reads back on the next poll (its own shape; it validates it). */
  cursor: unknown;
  /** When to poll again: the configured interval, longer when the vendor's rate window is low. */
  nextPollMs: number;
  /** Items were missed (the poller was away longer than the vendor's listings reach back). */
  gap?: boolean | undefined;
  /** What an operator should fix while the rest is read (a scope the app lacks), for the log. */
  warnings?: string[] | undefined;
}

/**
 * Methods, not function properties: a vendor's definition is then assignable to the registry's
 * (see AnyConnector).
 */
export interface PollerDefinition<Config, Client> {
  /** The feeds a config asks for (communities or channels), each with a poller of its own. */
  feeds(config: Config): string[];
  /**
   * Reads what is new in one feed since `cursor`; with no cursor yet (the feed's first poll),
   * what was made from `startedAt` (epoch ms, when its poller began) on.
   */
  poll(
    client: Client,
    config: Config,
    feed: string,
    from: { cursor: unknown; startedAt: number },
  ): Promise<PolledPage>;
}

/** Keeps the literal id and the config type of a descriptor while checking its shape. */
export function defineConnector<
  const Id extends string,
  Config,
  Client = undefined,
  Sandbox extends AnyEmulatorDefinition = never,
>(
  descriptor: ConnectorDescriptor<Id, Config, Client, Sandbox>,
): ConnectorDescriptor<Id, Config, Client, Sandbox> {
  return descriptor;
}

/** A connector's config type, from its descriptor. */
export type ConfigOf<C> = C extends { readonly config: z.ZodType<infer Config, unknown> }
  ? Config
  : never;

/**
 * A registry lists each id and each webhook path once: two descriptors with one id would share a
 * config section, two routes with one path would shadow each other. Thrown at start-up.
 */
export function assertUnique(registry: readonly AnyConnector[]): void {
  const seen = new Set<string>();
  for (const key of registry.flatMap((c) => [
    `id ${c.id}`,
    ...(c.inbound ?? []).map((r) => `path ${r.path}`),
  ])) {
    if (seen.has(key)) throw new Error(`the connector registry lists ${key} twice`);
    seen.add(key);
  }
}
