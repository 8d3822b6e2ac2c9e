import type { GuildState } from './discord-store.js';
import {
  discordTimestamp,
  serializeChannel,
  serializeMember,
  serializeMessage,
  serializeUser,
} from './discord-store.js';

type Json = Record<string, unknown>;

/**
 * Completes a dispatch the way Discord would send it, from what a test or a person gives to
 * `POST /_sandbox/discord/emit`, and applies it to the guild state (a member joins, a message is
 * stored, a thread opens). Users may be named by id or username. Returns the full `d`, or why
 * it cannot be built.
 */
export function completeDispatch(state: GuildState, t: string, given: Json): Json | string {
  const guildId = state.ids.guild;
  const userFrom = (ref: unknown) => (typeof ref === 'string' ? state.byRef(ref) : undefined);

  switch (t) {
    case 'GUILD_MEMBER_ADD': {
      const spec = (given.user ?? {}) as Json;
      const username =
        typeof spec.username === 'string' ? spec.username : `member${Date.now() % 1e6}`;
      const user =
        userFrom(spec.id) ??
        state.addUser({
          ...(typeof spec.id === 'string' ? { id: spec.id } : {}),
          username,
          globalName: typeof spec.global_name === 'string' ? spec.global_name : null,
          bot: spec.bot === true,
        });
      const member = state.addMember(user.id, typeof given.nick === 'string' ? given.nick : null);
      if (typeof given.joined_at === 'string') member.joinedAt = given.joined_at;
      return { ...serializeMember(state, member), guild_id: guildId };
    }

    case 'GUILD_MEMBER_REMOVE': {
      const spec = (given.user ?? {}) as Json;
      const user = userFrom(spec.id) ?? userFrom(spec.username);
      if (!user) return 'GUILD_MEMBER_REMOVE needs user.id or user.username of a known user';
      state.members.delete(user.id);
      return { guild_id: guildId, user: serializeUser(user) };
    }

    case 'MESSAGE_CREATE': {
      const author = userFrom(given.author ?? 'ada');
      if (!author) return `no such user: ${String(given.author)}`;
      const channelId =
        typeof given.channel_id === 'string' ? given.channel_id : state.ids.channels.general;
      const channel = state.channels.get(channelId);
      if (!channel) return `no such channel: ${channelId}`;
      const message = {
        id: typeof given.id === 'string' ? given.id : state.nextId(),
        channelId,
        authorId: author.id,
        content: typeof given.content === 'string' ? given.content : '',
        timestamp: discordTimestamp(),
        type: typeof given.type === 'number' ? given.type : 0,
        nonce: null,
        reference: null,
        viaApi: false,
      };
      state.messages.set(message.id, message);
      const member = state.members.get(author.id);
      const { author: _given, ...rest } = given;
      return {
        ...serializeMessage(state, message),
        guild_id: guildId,
        channel_type: channel.type,
        ...(member ? { member: serializeMember(state, member, false) } : {}),
        ...rest,
        channel_id: channelId,
        id: message.id,
      };
    }

    case 'MESSAGE_REACTION_ADD': {
      const user = userFrom(given.user_id ?? 'ada');
      if (!user) return `no such user: ${String(given.user_id)}`;
      const messageId = typeof given.message_id === 'string' ? given.message_id : undefined;
      if (!messageId) return 'MESSAGE_REACTION_ADD needs message_id';
      const message = state.messages.get(messageId);
      const member = state.members.get(user.id);
      return {
        type: 0,
        message_id: messageId,
        ...(message ? { message_author_id: message.authorId } : {}),
        ...(member ? { member: serializeMember(state, member) } : {}),
        emoji: { id: null, name: '🎫' },
        channel_id: message?.channelId ?? state.ids.channels.general,
        burst: false,
        burst_colors: [],
        guild_id: guildId,
        ...given,
        user_id: user.id,
      };
    }

    case 'THREAD_CREATE': {
      const parentId =
        typeof given.parent_id === 'string' ? given.parent_id : state.ids.channels.support;
      const owner = userFrom(given.owner_id ?? 'ada');
      const thread = state.addChannel({
        ...(typeof given.id === 'string' ? { id: given.id } : {}),
        type: typeof given.type === 'number' ? given.type : 11,
        name: typeof given.name === 'string' ? given.name : 'new thread',
        parentId,
        ownerId: owner?.id ?? null,
      });
      return { ...serializeChannel(state, thread), newly_created: true };
    }

    default:
      return given;
  }
}
