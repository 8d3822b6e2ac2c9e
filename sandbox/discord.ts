import type { Server } from 'node:http';
import express from 'express';
import type { Faults } from './faults.js';
import { completeDispatch } from './discord-emit.js';
import { GATEWAY_PATH, createDiscordGateway } from './discord-gateway.js';
import { createInteractionSender, interactionKeys } from './discord-interactions.js';
import type { RateLimitSettings } from './discord-ratelimit.js';
import { createRateLimits } from './discord-ratelimit.js';
import { createDiscordRest } from './discord-rest.js';
import type { DiscordSpec } from './discord-spec.js';
import { loadDiscordSpec } from './discord-spec.js';
import { createGuildState, serializeMessage } from './discord-store.js';

export const DEFAULT_DISCORD_BOT_TOKEN = 'sandbox-discord-bot-token';

/** Knobs tests turn to keep runs short; the defaults follow Discord. */
export interface DiscordSandboxTuning {
  /** HELLO's heartbeat_interval (Discord: 41250 ms). */
  heartbeatIntervalMs: number;
  /** How long a nonce sent with enforce_nonce returns its first message ("a few minutes"). */
  nonceWindowMs: number;
  /** How long a disconnected gateway session can be resumed. */
  resumeWindowMs: number;
  /** Per-route bucket size and window. */
  rateLimit: RateLimitSettings;
  /** 64 hex characters: a fixed Ed25519 key for interactions; a new one per start if absent. */
  signingSeed?: string;
}

export interface DiscordSandboxOptions extends Partial<DiscordSandboxTuning> {
  botToken: string;
  faults: Faults;
  townhallUrl: () => string | undefined;
  specPath?: string;
}

/**
 * The Discord emulator: REST v10 under /api/v10 (point connectors.discord.apiUrl at
 * `<sandbox>/api`), the gateway websocket at /discord/gateway, signed HTTP interactions sent to
 * townhall, and /_sandbox/discord/... to emit gateway events and inspect what townhall did.
 */
export function createDiscordSandbox(options: DiscordSandboxOptions) {
  const state = createGuildState();
  const keys = interactionKeys(options.signingSeed);
  const limits = createRateLimits(options.rateLimit ?? { limit: 50, windowMs: 1_000 });
  let spec: DiscordSpec | string;
  try {
    spec = loadDiscordSpec(options.specPath);
  } catch (error) {
    spec = (error as Error).message;
  }
  const gateway = createDiscordGateway({
    state,
    botToken: options.botToken,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    resumeWindowMs: options.resumeWindowMs ?? 5 * 60_000,
  });
  const rest = createDiscordRest({
    state,
    botToken: options.botToken,
    faults: options.faults,
    limits,
    spec,
    nonceWindowMs: options.nonceWindowMs ?? 3 * 60_000,
    gatewayUrl: (req) => `ws://${req.get('host') ?? '127.0.0.1'}${GATEWAY_PATH}`,
    dispatch: (t, d) => gateway.dispatch(t, d),
  });

  const router = express.Router();
  router.use('/api/v10', rest.router);

  router.get('/_sandbox/discord/public-key', (_req, res) => {
    res.json({ public_key: keys.publicKeyHex, application_id: state.ids.application });
  });

  router.post('/_sandbox/discord/emit', express.json(), (req, res) => {
    const body = (req.body ?? {}) as { t?: unknown; d?: unknown };
    if (typeof body.t !== 'string' || !/^[A-Z_]+$/.test(body.t)) {
      res.status(400).json({ error: 'body must be { "t": "GUILD_MEMBER_ADD", "d": {...} }' });
      return;
    }
    const d = completeDispatch(
      state,
      body.t,
      (typeof body.d === 'object' && body.d !== null ? body.d : {}) as Record<string, unknown>,
    );
    if (typeof d === 'string') {
      res.status(400).json({ error: d });
      return;
    }
    res.json({ t: body.t, d, delivered: gateway.dispatch(body.t, d) });
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
      townhallUrl: options.townhallUrl,
    }),
  );

  /** Messages townhall posted through the API (channels, threads and DMs). */
  router.get('/_sandbox/discord/messages', (_req, res) => {
    res.json(
      [...state.messages.values()]
        .filter((message) => message.viaApi)
        .map((message) => {
          const channel = state.channels.get(message.channelId);
          return {
            ...serializeMessage(state, message),
            channel_type: channel?.type,
            ...(channel?.type === 1 ? { recipient_id: channel.recipientId } : {}),
            ...(channel?.parentId ? { parent_id: channel.parentId } : {}),
          };
        }),
    );
  });

  router.get('/_sandbox/discord/members', (_req, res) => {
    res.json(
      [...state.members.values()].map((member) => {
        const user = state.users.get(member.userId);
        return {
          user_id: member.userId,
          username: user?.username,
          nick: member.nick,
          joined_at: member.joinedAt,
          roles: [...member.roles].map((id) => ({ id, name: state.roles.get(id)?.name })),
        };
      }),
    );
  });

  return {
    router,
    botToken: options.botToken,
    publicKey: keys.publicKeyHex,
    applicationId: state.ids.application,
    guildId: state.ids.guild,
    ids: state.ids,
    attach: (server: Server) => gateway.attach(server),
    gateway,
    reset() {
      state.reset();
      rest.reset();
      limits.reset();
      gateway.resetStats();
    },
    close: () => gateway.close(),
  };
}

export type DiscordSandbox = ReturnType<typeof createDiscordSandbox>;
