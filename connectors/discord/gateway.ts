import type { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Events, GatewayIntentBits, Options } from 'discord.js';
import type { Logger } from 'pino';
import type { CommunityEvent } from '../events.js';
import type { DiscordConfig } from './config.js';
import type { ChannelInfo } from './normalize.js';
import { HANDLED_DISPATCHES, normalizeDispatch } from './normalize.js';
import { THREAD_CHANNEL_TYPES } from './payloads.js';
import type { Spool } from './spool.js';
import { openSpool } from './spool.js';
import type { Queued } from './queued.js';
import { channelInfo, fromSpool, toSpool } from './queued.js';

/** Intents for the four dispatches townhall reads (GUILDS fills the channel cache for threads). */
export const DISCORD_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMembers,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.GuildMessageReactions,
];

export interface DiscordGatewayOptions {
  config: DiscordConfig;
  /** Makes an event durable and starts what it causes (server/router.ts); throws when it can't. */
  route: (event: CommunityEvent) => Promise<unknown>;
  logger: Logger;
  /** Backoff between attempts to hand an event to a failing route(): doubles up to maxMs. */
  retry?: { initialMs?: number; maxMs?: number };
  /** On stop, how long queued events may still be handed to route(). */
  drainTimeoutMs?: number;
  /**
   * A write-ahead file that keeps dispatches until route() accepts them, across crashes and
   * restarts (connectors/discord/spool.ts). Without it they live only in memory.
   */
  spoolFile?: string;
}

export interface DiscordGateway {
  /** Resolves once the client is connected and has its guild; rejects if login fails. */
  ready: Promise<void>;
  /** Disconnects, then hands queued events to route() for up to drainTimeoutMs. */
  stop(): Promise<void>;
  /** Events received and not yet accepted by route(). */
  pending(): number;
}

interface RawPacket {
  op: number;
  t?: string | null;
  s?: number | null;
  d?: unknown;
}

const channelIdOf = (d: unknown): string | undefined => {
  const id =
    typeof d === 'object' && d !== null ? (d as { channel_id?: unknown }).channel_id : undefined;
  return typeof id === 'string' ? id : undefined;
};

/**
 * Listens on the Discord gateway with discord.js and hands every member, message and reaction
 * dispatch of the configured guild to `route()`, in the order Discord sent them. discord.js
 * resumes a dropped session (Discord replays what was missed); when route() fails because the
 * store or Temporal is down, the event stays at the head of an in-memory queue and is retried
 * with backoff, so nothing is dropped or reordered while the process lives.
 */
export function startDiscordGateway(options: DiscordGatewayOptions): DiscordGateway {
  const { config, route, logger } = options;
  const initialMs = options.retry?.initialMs ?? 500;
  const maxMs = options.retry?.maxMs ?? 30_000;
  const drainTimeoutMs = options.drainTimeoutMs ?? 5_000;
  const log = logger.child({ connector: 'discord-gateway' });

  const client = new Client({
    intents: DISCORD_INTENTS,
    ...(config.apiUrl ? { rest: { api: config.apiUrl } } : {}),
    // Channels (and threads) stay cached for locating messages; message content is never kept.
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 0,
      PresenceManager: 0,
      ReactionManager: 0,
    }),
  });

  const queue: (Queued & { key: string })[] = [];
  const spool: Spool<Queued> | undefined = options.spoolFile
    ? openSpool(options.spoolFile, { toJson: toSpool, fromJson: fromSpool })
    : undefined;
  // What a previous run received and route() never accepted goes first, in arrival order.
  const leftOver = spool?.pending() ?? [];
  if (leftOver.length > 0) log.info({ events: leftOver.length }, 'replaying spooled dispatches');
  for (const { key, item } of leftOver) queue.push({ ...item, key });
  spool?.compact();
  let sessionId = '';
  let stopping = false;
  let wake: (() => void) | undefined;
  const abort = new AbortController();

  const cachedChannel = (id: string) => channelInfo(client.channels.cache.get(id));

  // `raw` carries every dispatch with its sequence number, replayed ones after a RESUME included,
  // before discord.js turns it into objects; the payload is what the mapping is written against.
  (client as EventEmitter).on('raw', (packet: RawPacket) => {
    if (packet.op !== 0 || !packet.t) return;
    if (packet.t === 'READY') {
      const d = packet.d as { session_id?: unknown } | undefined;
      if (typeof d?.session_id === 'string') sessionId = d.session_id;
      return;
    }
    if (!HANDLED_DISPATCHES.has(packet.t) || stopping) return;
    const channels = new Map<string, ChannelInfo>();
    const channelId = channelIdOf(packet.d);
    const known = channelId ? cachedChannel(channelId) : undefined;
    if (channelId && known) channels.set(channelId, known);
    const item: Queued = {
      t: packet.t,
      d: packet.d,
      s: packet.s ?? 0,
      sessionId,
      receivedAt: new Date(),
      channels,
    };
    const key = `${sessionId}:${item.s}`;
    spool?.add(key, item);
    queue.push({ ...item, key });
    wake?.();
  });

  client.on(Events.ShardReconnecting, () => {
    if (!stopping) log.info('gateway connection lost; reconnecting');
  });
  client.on(Events.ShardResume, (_shard, replayed) =>
    log.info({ replayed }, 'gateway session resumed'),
  );
  client.on(Events.ShardDisconnect, (event) =>
    log.error({ code: event.code }, 'gateway closed for good (check the bot token and intents)'),
  );
  client.on(Events.ShardError, (error) => log.warn({ errName: error.name }, 'gateway error'));
  client.on(Events.Error, (error) => log.warn({ errName: error.name }, 'discord.js error'));
  client.on(Events.Warn, (message) => log.warn({ message }, 'discord.js warning'));
  if (log.isLevelEnabled('trace'))
    client.on(Events.Debug, (message) => {
      // discord.js names the (partly censored) token in one debug line; secrets stay out of logs.
      if (!/token/i.test(message)) log.trace(message);
    });

  /**
   * A channel the mapping must place (a thread, or a channel of unknown type in this guild) and
   * the cache did not know on arrival is asked for once (GET /channels/{id}).
   */
  async function resolveChannel(item: Queued): Promise<void> {
    const channelId = channelIdOf(item.d);
    if (!channelId || item.channels.has(channelId)) return;
    const d = item.d as { guild_id?: unknown; channel_type?: unknown };
    if (d.guild_id !== config.guildId) return;
    if (typeof d.channel_type === 'number' && !THREAD_CHANNEL_TYPES.has(d.channel_type)) return;
    const cached = cachedChannel(channelId);
    if (cached) {
      item.channels.set(channelId, cached);
      return;
    }
    try {
      const fetched = channelInfo(await client.channels.fetch(channelId));
      if (fetched) item.channels.set(channelId, fetched);
    } catch (error) {
      log.debug({ errName: (error as Error).name }, 'channel lookup failed; treated as a channel');
    }
  }

  /** Hands one event to route() until it is accepted; false if stopped first. */
  async function deliver(item: Queued): Promise<boolean> {
    await resolveChannel(item);
    const result = normalizeDispatch(item.t, item.d, {
      guildId: config.guildId,
      channel: (id) => item.channels.get(id),
      sessionId: item.sessionId,
      sequence: item.s,
      receivedAt: item.receivedAt,
    });
    if (result.kind === 'ignored') {
      log.debug({ dispatch: item.t, seq: item.s, reason: result.reason }, 'dispatch ignored');
      return true;
    }
    if (result.kind === 'invalid') {
      // A payload that does not parse never will: skipping it is the only way forward.
      log.warn(
        { dispatch: item.t, seq: item.s, issues: result.issues },
        'malformed dispatch skipped',
      );
      return true;
    }
    let delay = initialMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await route(result.event);
        return true;
      } catch (error) {
        // Type, sequence and counts only: the event and the error may carry member details.
        log.warn(
          {
            type: result.event.type,
            seq: item.s,
            attempt,
            retryInMs: delay,
            queued: queue.length,
            errName: (error as Error)?.name,
          },
          'event not accepted (store or Temporal down?); keeping it and retrying',
        );
        try {
          await sleep(delay, undefined, { signal: abort.signal });
        } catch {
          return false;
        }
        delay = Math.min(delay * 2, maxMs);
      }
    }
  }

  const consumer = (async () => {
    while (!abort.signal.aborted) {
      const item = queue[0];
      if (!item) {
        if (stopping) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (!(await deliver(item))) return;
      spool?.done(item.key);
      queue.shift();
    }
  })();

  const ready = new Promise<void>((resolve, reject) => {
    client.once(Events.ClientReady, () => {
      log.info('connected to the Discord gateway');
      resolve();
    });
    client.login(config.botToken).catch((error: unknown) => {
      log.error({ errName: (error as Error)?.name }, 'Discord gateway login failed');
      reject(error instanceof Error ? error : new Error(String(error)));
    });
  });
  // Callers await `ready`; an unobserved failure must not crash the process.
  ready.catch(() => undefined);

  return {
    ready,
    pending: () => queue.length,
    async stop() {
      if (stopping) return;
      stopping = true;
      await client.destroy();
      wake?.();
      const timer = new AbortController();
      const drained = await Promise.race([
        consumer.then(() => true),
        sleep(drainTimeoutMs, false, { signal: timer.signal }).catch(() => false),
      ]);
      timer.abort();
      if (!drained) {
        abort.abort();
        wake?.();
        await consumer;
      }
      if (queue.length > 0)
        log.error(
          { pending: queue.length },
          spool
            ? 'stopped before route() accepted every event; the spool replays them next start'
            : 'stopped with events route() never accepted',
        );
    },
  };
}
