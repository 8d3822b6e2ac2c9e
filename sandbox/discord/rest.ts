import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import express from 'express';
import type { Faults } from '../faults.js';
import { discordErrorBody, fail, invalidForm } from './errors.js';
import { messageRoutes } from './messages.js';
import type { createRateLimits } from './ratelimit.js';
import type { DiscordSpec } from './spec.js';
import type { GuildState } from './store.js';
import { serializeChannel, serializeMember, serializeUser } from './serialize.js';

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

/** REST API v10, mounted at /api/v10: the routes the connector and discord.js call. */
export function createDiscordRest(options: DiscordRestOptions) {
  const { state, limits } = options;
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

  const messages = messageRoutes({ ...options, conforms, spec });
  router.use(messages.router);

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
      messages.reset();
    },
  };
}
