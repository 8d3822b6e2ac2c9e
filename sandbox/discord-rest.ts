import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import express from 'express';
import type { Faults } from './faults.js';
import type { createRateLimits } from './discord-ratelimit.js';
import { rateLimitBody } from './discord-ratelimit.js';
import type { DiscordSpec, FormErrors } from './discord-spec.js';
import type { GuildState, MessageRecord } from './discord-store.js';
import {
  discordTimestamp,
  serializeChannel,
  serializeMember,
  serializeMessage,
  serializeUser,
} from './discord-store.js';

export interface DiscordRestOptions {
  state: GuildState;
  botToken: string;
  faults: Faults;
  limits: ReturnType<typeof createRateLimits>;
  /** The spec validator, or why it could not be loaded. */
  spec: DiscordSpec | string;
  /** How long a nonce sent with enforce_nonce finds the message it created. */
  nonceWindowMs: number;
  /** The gateway URL GET /gateway/bot hands out, for the host the client used. */
  gatewayUrl: (req: Request) => string;
  /** Sends a dispatch to the gateway sessions (a message the bot posted, a member update). */
  dispatch: (t: string, d: Record<string, unknown>) => void;
}

/** Discord's error body: `{ message, code }`, plus `errors` for Invalid Form Body. */
export function fail(
  res: Response,
  status: number,
  code: number,
  message: string,
  errors?: FormErrors,
) {
  res.status(status).json({ message, code, ...(errors ? { errors } : {}) });
}
const invalidForm = (res: Response, errors: FormErrors) =>
  fail(res, 400, 50035, 'Invalid Form Body', errors);

/** The body for a fault's status, as Discord would send it; 429s are completed downstream. */
export function discordErrorBody(global: boolean) {
  return (status: number): unknown => {
    if (status === 429) return rateLimitBody(0, global);
    if (status === 401) return { message: '401: Unauthorized', code: 0 };
    if (status === 403) return { message: 'Missing Permissions', code: 50013 };
    if (status === 404) return { message: '404: Not Found', code: 0 };
    if (status >= 500) return { message: `${status}: Internal Server Error`, code: 0 };
    return { message: `${status}: Bad Request`, code: 0 };
  };
}

const asSnowflake = (value: string) => BigInt(value);

/** REST API v10, mounted at /api/v10: the routes the connector and discord.js call. */
export function createDiscordRest(options: DiscordRestOptions) {
  const { state, limits } = options;
  /** `author:nonce` → the message it created and when, for enforce_nonce. */
  const nonces = new Map<string, { messageId: string; at: number }>();
  const router = express.Router();

  router.use(limits.shapeRateLimited);
  router.use(options.faults.middleware('discord-global', discordErrorBody(true)));
  // A dropped request still posts (the answer is what gets lost), as a real network would.
  router.use(
    options.faults.middleware('discord', discordErrorBody(false), { dropAfterHandling: true }),
  );
  // Counted and given X-RateLimit-* headers before anything can fail, so every answer has them.
  router.use(limits.enforce);
  router.use(express.json({ limit: '1mb' }));

  // GET /gateway is public; everything else needs the bot token.
  router.get('/gateway', (req, res) => {
    res.json({ url: options.gatewayUrl(req) });
  });

  router.use((req, res, next) => {
    if (req.get('authorization') !== `Bot ${options.botToken}`) {
      fail(res, 401, 0, '401: Unauthorized');
      return;
    }
    if (typeof options.spec === 'string') {
      fail(res, 500, 0, `discord sandbox: ${options.spec}`);
      return;
    }
    next();
  });

  const spec = () => options.spec as DiscordSpec;
  /** Rejects a body the OpenAPI description does not allow, before the handler runs. */
  const conforms =
    (method: string, template: string): RequestHandler =>
    (req, res, next) => {
      const errors = spec().checkBody(method, template, req.body);
      if (errors) invalidForm(res, errors);
      else next();
    };

  router.get('/gateway/bot', (req, res) => {
    res.json({
      url: options.gatewayUrl(req),
      shards: 1,
      session_start_limit: {
        total: 1000,
        remaining: 999,
        reset_after: 86_400_000,
        max_concurrency: 1,
      },
    });
  });

  router.get('/users/@me', (_req, res) => {
    const bot = state.users.get(state.ids.bot)!;
    res.json({ ...serializeUser(bot), verified: true, mfa_enabled: false, locale: 'en-US' });
  });

  router.get('/channels/:channelId', (req, res) => {
    const channel = state.channels.get(req.params.channelId);
    if (!channel) return fail(res, 404, 10003, 'Unknown Channel');
    res.json(serializeChannel(state, channel));
  });

  router.post(
    '/channels/:channelId/messages',
    conforms('post', '/channels/{channel_id}/messages'),
    (req, res) => {
      const channel = state.channels.get(String(req.params.channelId));
      if (!channel) return fail(res, 404, 10003, 'Unknown Channel');
      const body = req.body as {
        content?: string | null;
        embeds?: unknown[] | null;
        components?: unknown[] | null;
        sticker_ids?: unknown[] | null;
        poll?: unknown;
        nonce?: string | number | null;
        enforce_nonce?: boolean | null;
        message_reference?: { message_id: string; fail_if_not_exists?: boolean | null } | null;
      };
      if (
        channel.type === 1 &&
        channel.recipientId &&
        state.users.get(channel.recipientId)?.dmsClosed
      )
        return fail(res, 403, 50007, 'Cannot send messages to this user');
      const hasContent =
        (body.content ?? '').trim().length > 0 ||
        (body.embeds?.length ?? 0) > 0 ||
        (body.components?.length ?? 0) > 0 ||
        (body.sticker_ids?.length ?? 0) > 0 ||
        Boolean(body.poll);
      if (!hasContent) return fail(res, 400, 50006, 'Cannot send an empty message');

      let reference: MessageRecord['reference'] = null;
      if (body.message_reference) {
        const target = state.messages.get(body.message_reference.message_id);
        if (target && target.channelId === channel.id)
          reference = {
            message_id: target.id,
            channel_id: channel.id,
            guild_id: channel.type === 1 ? null : state.ids.guild,
          };
        else if (body.message_reference.fail_if_not_exists !== false)
          return invalidForm(res, {
            message_reference: {
              _errors: [{ code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }],
            },
          });
      }

      // enforce_nonce: the same author and nonce within the window return the first message.
      const nonce = body.nonce ?? null;
      const nonceKey =
        nonce !== null && body.enforce_nonce === true ? `${state.ids.bot}:${nonce}` : undefined;
      if (nonceKey) {
        const earlier = nonces.get(nonceKey);
        const message = earlier && state.messages.get(earlier.messageId);
        if (earlier && message && Date.now() - earlier.at < options.nonceWindowMs)
          return res.json(serializeMessage(state, message));
      }

      const message: MessageRecord = {
        id: state.nextId(),
        channelId: channel.id,
        authorId: state.ids.bot,
        content: body.content ?? '',
        timestamp: discordTimestamp(),
        type: reference ? 19 : 0,
        nonce,
        reference,
        viaApi: true,
      };
      state.messages.set(message.id, message);
      if (nonceKey) nonces.set(nonceKey, { messageId: message.id, at: Date.now() });
      const json = serializeMessage(state, message);
      if (channel.type !== 1) {
        const member = state.members.get(state.ids.bot);
        options.dispatch('MESSAGE_CREATE', {
          ...json,
          guild_id: state.ids.guild,
          channel_type: channel.type,
          ...(member ? { member: serializeMember(state, member, false) } : {}),
        });
      }
      res.json(json);
    },
  );

  router.get('/channels/:channelId/messages', (req, res) => {
    const errors = spec().checkQuery('get', '/channels/{channel_id}/messages', req.query);
    if (errors) return invalidForm(res, errors);
    const channel = state.channels.get(req.params.channelId);
    if (!channel) return fail(res, 404, 10003, 'Unknown Channel');
    const query = req.query as { limit?: string; before?: string; after?: string; around?: string };
    const limit = query.limit ? Number(query.limit) : 50;
    let list = [...state.messages.values()]
      .filter((message) => message.channelId === channel.id)
      .sort((a, b) => (asSnowflake(b.id) > asSnowflake(a.id) ? 1 : -1));
    if (query.before) list = list.filter((m) => asSnowflake(m.id) < asSnowflake(query.before!));
    else if (query.after) {
      // `after` pages towards newer messages; Discord still answers newest first.
      list = list.filter((m) => asSnowflake(m.id) > asSnowflake(query.after!)).slice(-limit);
    } else if (query.around) {
      const index = list.findIndex((m) => asSnowflake(m.id) <= asSnowflake(query.around!));
      const start = Math.max(0, (index < 0 ? list.length : index) - Math.floor(limit / 2));
      list = list.slice(start);
    }
    res.json(list.slice(0, limit).map((message) => serializeMessage(state, message)));
  });

  router.post('/users/@me/channels', conforms('post', '/users/@me/channels'), (req, res) => {
    const { recipient_id: recipientId } = req.body as { recipient_id?: string | null };
    if (!recipientId)
      return invalidForm(res, {
        recipient_id: {
          _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }],
        },
      });
    const user = state.users.get(recipientId);
    if (!user || user.id === state.ids.bot) return fail(res, 400, 50033, 'Invalid Recipient(s)');
    res.json(serializeChannel(state, state.dmChannel(user.id)));
  });

  /** The guild, member and role a role change names, or the Discord error for the first missing. */
  function roleTarget(req: Request, res: Response) {
    const { guildId, userId, roleId } = req.params as Record<string, string>;
    if (guildId !== state.ids.guild) return fail(res, 404, 10004, 'Unknown Guild');
    const member = state.members.get(userId!);
    if (!member) return fail(res, 404, 10007, 'Unknown Member');
    const role = state.roles.get(roleId!);
    if (!role) return fail(res, 404, 10011, 'Unknown Role');
    // A bot manages only roles below its own highest, and never integration-managed ones.
    if (role.managed || role.id === state.ids.guild || role.position >= state.botTopPosition())
      return fail(res, 403, 50013, 'Missing Permissions');
    return { member, role };
  }

  function memberUpdated(userId: string) {
    const member = state.members.get(userId);
    if (member)
      options.dispatch('GUILD_MEMBER_UPDATE', {
        ...serializeMember(state, member),
        guild_id: state.ids.guild,
      });
  }

  router.put('/guilds/:guildId/members/:userId/roles/:roleId', (req, res) => {
    const target = roleTarget(req, res);
    if (!target) return;
    const added = !target.member.roles.has(target.role.id);
    target.member.roles.add(target.role.id);
    if (added) memberUpdated(target.member.userId);
    res.status(204).end();
  });

  router.delete('/guilds/:guildId/members/:userId/roles/:roleId', (req, res) => {
    const target = roleTarget(req, res);
    if (!target) return;
    const removed = target.member.roles.delete(target.role.id);
    if (removed) memberUpdated(target.member.userId);
    res.status(204).end();
  });

  router.get('/guilds/:guildId/members/:userId', (req, res) => {
    if (req.params.guildId !== state.ids.guild) return fail(res, 404, 10004, 'Unknown Guild');
    const member = state.members.get(req.params.userId);
    if (!member) return fail(res, 404, 10007, 'Unknown Member');
    res.json(serializeMember(state, member));
  });

  router.use((_req, res) => {
    fail(res, 404, 0, '404: Not Found');
  });

  const badJson: ErrorRequestHandler = (error, _req, res, next) => {
    const status = (error as { status?: number }).status;
    if (status === 400) return fail(res, 400, 50109, 'The request body contains invalid JSON.');
    if (status === 413) return fail(res, 413, 40005, 'Request entity too large');
    next(error);
  };
  router.use(badJson);

  return {
    router,
    reset() {
      nonces.clear();
    },
  };
}
