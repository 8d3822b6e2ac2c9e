import type { RequestHandler } from 'express';
import express from 'express';
import { fail, invalidForm } from './errors.js';
import type { DiscordSpec } from './spec.js';
import type { GuildState, MessageRecord } from './store.js';
import { discordTimestamp } from './store.js';
import type { AllowedMentions } from './mentions.js';
import { pingsOf } from './mentions.js';
import { serializeMember, serializeMessage } from './serialize.js';
import { threadRoutes } from './threads.js';

export interface MessageRouteOptions {
  state: GuildState;
  /** How long a nonce sent with enforce_nonce finds the message it created. */
  nonceWindowMs: number;
  /** Sends a dispatch to the gateway sessions (a message the bot posted). */
  dispatch: (t: string, d: Record<string, unknown>) => void;
  /** Rejects a body the OpenAPI description does not allow. */
  conforms: (method: string, template: string) => RequestHandler;
  spec: () => DiscordSpec;
}

const asSnowflake = (value: string) => BigInt(value);

/** POST and GET /channels/{id}/messages: what the bot posts (replies, DMs) and reads back. */
export function messageRoutes(options: MessageRouteOptions) {
  const { state, conforms, spec } = options;
  /** `author:nonce` → the message it created and when, for enforce_nonce. */
  const nonces = new Map<string, { messageId: string; at: number }>();
  const router = express.Router();

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
        allowed_mentions?: AllowedMentions | null;
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
        pings: pingsOf(body.content ?? '', body.allowed_mentions),
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

  router.get('/channels/:channelId/messages/:messageId', (req, res) => {
    const channel = state.channels.get(req.params.channelId);
    if (!channel) return fail(res, 404, 10003, 'Unknown Channel');
    const message = state.messages.get(req.params.messageId);
    if (!message || message.channelId !== channel.id)
      return fail(res, 404, 10008, 'Unknown Message');
    res.json(serializeMessage(state, message));
  });

  router.use(threadRoutes(options));

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

  return {
    router,
    reset() {
      nonces.clear();
    },
  };
}
