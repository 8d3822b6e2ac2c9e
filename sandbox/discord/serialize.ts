import type {
  ChannelRecord,
  GuildMemberRecord,
  GuildState,
  GuildUser,
  MessageRecord,
  RoleRecord,
} from './store.js';
import { NO_PINGS } from './mentions.js';
import { DISCORD_SANDBOX_IDS, SEED_TIME } from './store.js';

/** The guild's records in the shapes Discord's API and gateway send them. */

/** User object. */
export function serializeUser(user: GuildUser) {
  return {
    id: user.id,
    username: user.username,
    avatar: null,
    discriminator: '0',
    public_flags: 0,
    flags: 0,
    ...(user.bot ? { bot: true } : {}),
    banner: null,
    accent_color: null,
    global_name: user.globalName,
    avatar_decoration_data: null,
    collectibles: null,
    primary_guild: null,
  };
}

/** Guild member object (GET /guilds/{g}/members/{u}, GUILD_CREATE, GUILD_MEMBER_ADD). */
export function serializeMember(state: GuildState, member: GuildMemberRecord, withUser = true) {
  const user = state.users.get(member.userId);
  return {
    ...(withUser && user ? { user: serializeUser(user) } : {}),
    avatar: null,
    banner: null,
    communication_disabled_until: null,
    flags: 0,
    joined_at: member.joinedAt,
    nick: member.nick,
    pending: false,
    premium_since: null,
    roles: [...member.roles],
    unusual_dm_activity_until: null,
    deaf: false,
    mute: false,
  };
}

export function serializeRole(role: RoleRecord) {
  return {
    id: role.id,
    name: role.name,
    description: null,
    permissions: role.permissions,
    position: role.position,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    managed: role.managed,
    mentionable: false,
    icon: null,
    unicode_emoji: null,
    flags: 0,
    ...(role.managed ? { tags: { bot_id: DISCORD_SANDBOX_IDS.bot } } : {}),
  };
}

/** Channel object: guild text channel, public thread or DM. */
export function serializeChannel(state: GuildState, channel: ChannelRecord) {
  const last = [...state.messages.values()]
    .filter((message) => message.channelId === channel.id)
    .at(-1)?.id;
  if (channel.type === 1) {
    const recipient = channel.recipientId ? state.users.get(channel.recipientId) : undefined;
    return {
      id: channel.id,
      type: 1,
      last_message_id: last ?? null,
      flags: 0,
      recipients: recipient ? [serializeUser(recipient)] : [],
    };
  }
  const base = {
    id: channel.id,
    type: channel.type,
    guild_id: state.ids.guild,
    name: channel.name,
    last_message_id: last ?? null,
    flags: 0,
    rate_limit_per_user: 0,
    parent_id: channel.parentId,
  };
  if (channel.type === 11)
    return {
      ...base,
      owner_id: channel.ownerId,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: 1440,
        archive_timestamp: new Date(SEED_TIME).toISOString(),
        locked: false,
        create_timestamp: new Date(SEED_TIME).toISOString(),
      },
    };
  return {
    ...base,
    position: [...state.channels.values()].filter((c) => c.type === 0).indexOf(channel),
    permission_overwrites: [],
    topic: null,
    nsfw: false,
  };
}

/** Message object, as REST answers and MESSAGE_CREATE carries it (without the gateway extras). */
export function serializeMessage(state: GuildState, message: MessageRecord) {
  const author = state.users.get(message.authorId);
  const pings = message.pings ?? NO_PINGS;
  return {
    type: message.type,
    content: message.content,
    mentions: pings.userIds.flatMap((id) => {
      const user = state.users.get(id);
      return user ? [serializeUser(user)] : [];
    }),
    mention_roles: pings.roleIds,
    attachments: [],
    embeds: [],
    timestamp: message.timestamp,
    edited_timestamp: null,
    flags: 0,
    components: [],
    id: message.id,
    channel_id: message.channelId,
    author: author
      ? serializeUser(author)
      : serializeUser({
          id: message.authorId,
          username: 'deleted_user',
          globalName: null,
          bot: false,
          dmsClosed: false,
        }),
    pinned: false,
    mention_everyone: pings.everyone,
    tts: false,
    ...(message.nonce !== null ? { nonce: message.nonce } : {}),
    ...(message.reference ? { message_reference: { type: 0, ...message.reference } } : {}),
    ...reactionsOf(state, message.id),
  };
}

/** A message's reactions, as the message object lists them (`me` for the bot's own). */
function reactionsOf(state: GuildState, messageId: string) {
  const byEmoji = state.reactions.get(messageId);
  if (!byEmoji || byEmoji.size === 0) return {};
  return {
    reactions: [...byEmoji].map(([emoji, users]) => {
      const [name, id] = emoji.includes(':') ? emoji.split(':') : [emoji, null];
      return {
        emoji: { id, name },
        count: users.size,
        count_details: { burst: 0, normal: users.size },
        burst_colors: [],
        me_burst: false,
        burst_me: false,
        me: users.has(state.ids.bot),
        burst_count: 0,
      };
    }),
  };
}
