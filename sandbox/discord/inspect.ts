import express from 'express';
import { serializeMessage } from './serialize.js';
import type { GuildState } from './store.js';

/**
 * /_sandbox/discord/messages, /reactions and /members: what townhall posted and reacted with,
 * and who is in the guild.
 */
export function inspectionRoutes(state: GuildState) {
  const router = express.Router();

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

  /** Every reaction, townhall's among them: one entry per message and emoji. */
  router.get('/_sandbox/discord/reactions', (_req, res) => {
    res.json(
      [...state.reactions].flatMap(([messageId, byEmoji]) =>
        [...byEmoji].map(([emoji, users]) => ({
          channel_id: state.messages.get(messageId)?.channelId,
          message_id: messageId,
          emoji,
          user_ids: [...users],
        })),
      ),
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

  return router;
}
