import type { Server } from 'node:http';
import express from 'express';
import type { DiscordConfig } from '../../connectors/discord/config.js';
import type { Emulator, EmulatorContext, EmulatorDefinition } from '../emulator.js';
import { PayloadError, isObject } from '../fields.js';
import { completeDispatch } from './emit.js';
import type { DiscordGatewayEmulator } from './gateway.js';
import { createDiscordGateway } from './gateway.js';
import { GATEWAY_PATH } from './gateway-protocol.js';
import { inspectionRoutes } from './inspect.js';
import {
  SANDBOX_DISCORD_SIGNING_SEED,
  createInteractionSender,
  interactionKeys,
} from './interactions.js';
import type { RateLimitSettings } from './ratelimit.js';
import { createRateLimits } from './ratelimit.js';
import { createDiscordRest } from './rest.js';
import type { DiscordSpec } from './spec.js';
import { loadDiscordSpec } from './spec.js';
import type { GuildState } from './store.js';
import { createGuildState } from './store.js';

export const DEFAULT_DISCORD_BOT_TOKEN = 'sandbox-discord-bot-token';

export interface DiscordEmulatorOptions {
  /** The bot token REST and the gateway accept. */
  botToken: string;
  /** HELLO's heartbeat_interval (Discord: 41250 ms). */
  heartbeatIntervalMs: number;
  /** How long a nonce sent with enforce_nonce returns its first message ("a few minutes"). */
  nonceWindowMs: number;
  /** How long a disconnected gateway session can be resumed. */
  resumeWindowMs: number;
  /** Per-route bucket size and window. */
  rateLimit: RateLimitSettings;
  /** 64 hex characters: a fixed Ed25519 key for interactions; a new one per start if absent. */
  signingSeed: string;
  /** Discord's OpenAPI description; sandbox/specs/discord/openapi.json by default. */
  specPath: string;
}

export interface DiscordEmulator extends Emulator {
  readonly botToken: string;
  /** For connectors.discord.publicKey: the key that signs the interactions sent to townhall. */
  readonly publicKey: string;
  readonly applicationId: string;
  readonly guildId: string;
  /** Ids of everything the sandbox guild starts with (its channels, roles and people). */
  readonly ids: GuildState['ids'];
  readonly gateway: DiscordGatewayEmulator;
}

/** Timings that follow Discord; tests shorten them. */
const DEFAULT_TIMINGS = {
  heartbeatIntervalMs: 41_250,
  nonceWindowMs: 3 * 60_000,
  resumeWindowMs: 5 * 60_000,
  rateLimit: { limit: 50, windowMs: 1_000 },
} as const;

/**
 * The Discord emulator: REST v10 under /api/v10 (point connectors.discord.apiUrl at
 * `<sandbox>/api`), the gateway websocket at /discord/gateway, signed HTTP interactions sent to
 * townhall, and /_sandbox/discord/... to emit gateway events and inspect what townhall did.
 */
function createDiscordEmulator(
  options: Partial<DiscordEmulatorOptions>,
  context: EmulatorContext,
): DiscordEmulator {
  const botToken = options.botToken ?? DEFAULT_DISCORD_BOT_TOKEN;
  const state = createGuildState();
  const keys = interactionKeys(options.signingSeed);
  const limits = createRateLimits(options.rateLimit ?? DEFAULT_TIMINGS.rateLimit);
  let spec: DiscordSpec | string;
  try {
    spec = loadDiscordSpec(options.specPath);
  } catch (error) {
    spec = (error as Error).message;
  }
  const gateway = createDiscordGateway({
    state,
    botToken,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_TIMINGS.heartbeatIntervalMs,
    resumeWindowMs: options.resumeWindowMs ?? DEFAULT_TIMINGS.resumeWindowMs,
  });
  const rest = createDiscordRest({
    state,
    botToken,
    faults: context.faults,
    limits,
    spec,
    nonceWindowMs: options.nonceWindowMs ?? DEFAULT_TIMINGS.nonceWindowMs,
    gatewayUrl: (req) => `ws://${req.get('host') ?? '127.0.0.1'}${GATEWAY_PATH}`,
    dispatch: (t, d) => gateway.dispatch(t, d),
  });

  const router = express.Router();
  router.use('/api/v10', rest.router);

  router.get('/_sandbox/discord/public-key', (_req, res) => {
    res.json({ public_key: keys.publicKeyHex, application_id: state.ids.application });
  });

  /** A gateway dispatch: `{ "t": "MESSAGE_CREATE", "d": {...} }` (an `op`/`s` is ignored). */
  router.post('/_sandbox/discord/emit', express.json(), (req, res) => {
    const body = (req.body ?? {}) as { t?: unknown; d?: unknown };
    if (typeof body.t !== 'string' || !/^[A-Z_]+$/.test(body.t)) {
      res.status(400).json({ error: 'body must be { "t": "GUILD_MEMBER_ADD", "d": {...} }' });
      return;
    }
    try {
      if (body.d !== undefined && body.d !== null && !isObject(body.d))
        throw new PayloadError('d must be an object');
      const d = completeDispatch(state, body.t, isObject(body.d) ? body.d : {});
      res.json({ t: body.t, d, delivered: gateway.dispatch(body.t, d) });
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      res.status(400).json({ error: error.message });
    }
  });

  router.post('/_sandbox/discord/gateway/kill', express.json(), (req, res) => {
    const body = (req.body ?? {}) as { code?: unknown; terminate?: unknown; forget?: unknown };
    const killed = gateway.kill({
      ...(typeof body.code === 'number' ? { code: body.code } : {}),
      terminate: body.terminate === true,
      forget: body.forget === true,
    });
    res.json({ killed });
  });

  router.get('/_sandbox/discord/gateway', (_req, res) => {
    res.json(gateway.inspect());
  });

  router.use(
    createInteractionSender({
      state,
      privateKey: keys.privateKey,
      townhallUrl: () => context.townhallUrl(),
    }),
  );
  router.use(inspectionRoutes(state));

  return {
    router,
    botToken,
    publicKey: keys.publicKeyHex,
    applicationId: state.ids.application,
    guildId: state.ids.guild,
    ids: state.ids,
    gateway,
    reset() {
      state.reset();
      rest.reset();
      limits.reset();
      gateway.resetStats();
    },
    // The gateway is a websocket on the sandbox's own HTTP port.
    attach: (server: Server) => gateway.attach(server),
    stop: () => gateway.close(),
    examples: (url: string) => ({
      join:
        `curl -s -X POST ${url}/_sandbox/discord/emit -H 'content-type: application/json' \\\n` +
        `    -d '{"t":"GUILD_MEMBER_ADD","d":{"user":{"username":"hedy","global_name":"Hedy Lamarr"}}}'`,
      inspect: `curl -s ${url}/_sandbox/discord/messages`,
    }),
  };
}

export const discordEmulator: EmulatorDefinition<
  DiscordConfig,
  DiscordEmulatorOptions,
  DiscordEmulator
> = {
  create: createDiscordEmulator,
  fromConfig(config) {
    return {
      botToken: config.botToken,
      // Its public key is the one config/examples/sandbox.yaml names.
      signingSeed: SANDBOX_DISCORD_SIGNING_SEED,
    };
  },
};
