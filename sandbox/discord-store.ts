import { DISCORD_EPOCH_MS } from '../connectors/discord/snowflake.js';

/** The emulated guild's state, and the shapes Discord serializes it in. */

export interface GuildUser {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
  /** The user blocks DMs from server members: sending one fails with 50007. */
  dmsClosed: boolean;
}

export interface GuildMemberRecord {
  userId: string;
  nick: string | null;
  roles: Set<string>;
  joinedAt: string;
}

export interface RoleRecord {
  id: string;
  name: string;
  position: number;
  permissions: string;
  managed: boolean;
}

export interface ChannelRecord {
  id: string;
  /** 0 text, 1 DM, 4 category, 11 public thread (see Discord's channel types). */
  type: number;
  name: string | null;
  parentId: string | null;
  /** DM channels: the other user. */
  recipientId: string | null;
  ownerId: string | null;
}

export interface MessageRecord {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  timestamp: string;
  type: number;
  nonce: string | number | null;
  reference: { message_id: string; channel_id: string; guild_id: string | null } | null;
  /** Created through the REST API (by townhall) rather than emitted as a member's message. */
  viaApi: boolean;
}

/** A fixed instant for the seeded ids, so they stay the same on every run. */
const SEED_TIME = Date.parse('2024-03-01T12:00:00Z');
const seeded = (n: number) =>
  ((BigInt(SEED_TIME - DISCORD_EPOCH_MS) << 22n) | BigInt(n)).toString();

/** Ids of everything the sandbox guild starts with. */
export const DISCORD_SANDBOX_IDS = {
  guild: seeded(1),
  application: seeded(2),
  bot: seeded(2),
  channels: { general: seeded(10), support: seeded(11), loginHelp: seeded(12) },
  roles: { member: seeded(20), townhall: seeded(21), moderator: seeded(22) },
  users: { ada: seeded(30), grace: seeded(31), linus: seeded(32) },
} as const;

/** Snowflakes for new things: time-ordered like Discord's, unique within the process. */
export function createSnowflakes() {
  let last = 0n;
  return () => {
    let next = BigInt(Date.now() - DISCORD_EPOCH_MS) << 22n;
    if (next <= last) next = last + 1n;
    last = next;
    return next.toString();
  };
}

export function createGuildState() {
  const ids = DISCORD_SANDBOX_IDS;
  const users = new Map<string, GuildUser>();
  const members = new Map<string, GuildMemberRecord>();
  const roles = new Map<string, RoleRecord>();
  const channels = new Map<string, ChannelRecord>();
  const messages = new Map<string, MessageRecord>();
  const nextId = createSnowflakes();

  function addUser(user: Partial<GuildUser> & { username: string }): GuildUser {
    const record: GuildUser = {
      id: user.id ?? nextId(),
      username: user.username,
      globalName: user.globalName ?? null,
      bot: user.bot ?? false,
      dmsClosed: user.dmsClosed ?? false,
    };
    users.set(record.id, record);
    return record;
  }

  function addMember(userId: string, nick: string | null = null, roleIds: string[] = []) {
    const member: GuildMemberRecord = {
      userId,
      nick,
      roles: new Set(roleIds),
      joinedAt: discordTimestamp(),
    };
    members.set(userId, member);
    return member;
  }

  function addChannel(channel: Partial<ChannelRecord> & { type: number }): ChannelRecord {
    const record: ChannelRecord = {
      id: channel.id ?? nextId(),
      type: channel.type,
      name: channel.name ?? null,
      parentId: channel.parentId ?? null,
      recipientId: channel.recipientId ?? null,
      ownerId: channel.ownerId ?? null,
    };
    channels.set(record.id, record);
    return record;
  }

  function seed() {
    users.clear();
    members.clear();
    roles.clear();
    channels.clear();
    messages.clear();
    // @everyone shares the guild's id. The bot's own (managed) role sits above Member and below
    // Moderator, so the bot may grant Member but not Moderator (50013), as on a real server.
    roles.set(ids.guild, role(ids.guild, '@everyone', 0, '1049600'));
    roles.set(ids.roles.member, role(ids.roles.member, 'Member', 1, '0'));
    roles.set(ids.roles.townhall, {
      ...role(ids.roles.townhall, 'townhall', 2, '268435456'),
      managed: true,
    });
    roles.set(ids.roles.moderator, role(ids.roles.moderator, 'Moderator', 3, '8'));

    addUser({ id: ids.bot, username: 'townhall-sandbox', bot: true });
    addUser({ id: ids.users.ada, username: 'ada', globalName: 'Ada Lovelace' });
    addUser({ id: ids.users.grace, username: 'grace', globalName: 'Grace Hopper' });
    addUser({ id: ids.users.linus, username: 'linus', globalName: null, dmsClosed: true });
    addMember(ids.bot, null, [ids.roles.townhall]);
    addMember(ids.users.ada, 'ada (she/her)', [ids.roles.member]);
    addMember(ids.users.grace);
    addMember(ids.users.linus);

    addChannel({ id: ids.channels.general, type: 0, name: 'general' });
    addChannel({ id: ids.channels.support, type: 0, name: 'support' });
    addChannel({
      id: ids.channels.loginHelp,
      type: 11,
      name: 'Login help',
      parentId: ids.channels.support,
      ownerId: ids.users.ada,
    });
  }
  seed();

  const byRef = (ref: string) =>
    users.get(ref) ??
    [...users.values()].find((user) => user.username.toLowerCase() === ref.toLowerCase());

  /** The bot's highest role position: it may only manage roles below it. */
  const botTopPosition = () =>
    Math.max(
      0,
      ...[...(members.get(ids.bot)?.roles ?? [])].map((id) => roles.get(id)?.position ?? 0),
    );

  return {
    ids,
    users,
    members,
    roles,
    channels,
    messages,
    nextId,
    reset: seed,
    addUser,
    addMember,
    addChannel,
    /** A user by id or username. */
    byRef,
    botTopPosition,
    /** The DM channel with a user, created on first use (as POST /users/@me/channels does). */
    dmChannel(userId: string): ChannelRecord {
      const existing = [...channels.values()].find(
        (channel) => channel.type === 1 && channel.recipientId === userId,
      );
      return existing ?? addChannel({ type: 1, recipientId: userId });
    },
  };
}

function role(id: string, name: string, position: number, permissions: string): RoleRecord {
  return { id, name, position, permissions, managed: false };
}

export type GuildState = ReturnType<typeof createGuildState>;

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
  return {
    type: message.type,
    content: message.content,
    mentions: [],
    mention_roles: [],
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
    mention_everyone: false,
    tts: false,
    ...(message.nonce !== null ? { nonce: message.nonce } : {}),
    ...(message.reference ? { message_reference: { type: 0, ...message.reference } } : {}),
  };
}

/** Discord timestamps: ISO 8601 with microseconds and an explicit offset. */
export const discordTimestamp = (date = new Date()) => date.toISOString().replace('Z', '000+00:00');
