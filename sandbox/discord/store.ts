import { DISCORD_EPOCH_MS } from '../../connectors/discord/snowflake.js';
import type { Pings } from './mentions.js';

/** The emulated guild's state (serialize.ts gives the shapes Discord sends it in). */

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
  /** Who it pinged (mentions.ts); none when absent. */
  pings?: Pings;
}

/** A fixed instant for the seeded ids, so they stay the same on every run. */
export const SEED_TIME = Date.parse('2024-03-01T12:00:00Z');
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
  /** message id → emoji (Unicode, or name:id) → the users who reacted so, in order. */
  const reactions = new Map<string, Map<string, Set<string>>>();
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
    reactions.clear();
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
    reactions,
    nextId,
    reset: seed,
    addUser,
    addMember,
    addChannel,
    /** A user by id or username. */
    byRef,
    botTopPosition,
    /** Adds `userId`'s reaction; false when it was already there (Discord answers 204 both ways). */
    react(messageId: string, emoji: string, userId: string): boolean {
      const byEmoji = reactions.get(messageId) ?? new Map<string, Set<string>>();
      reactions.set(messageId, byEmoji);
      const who = byEmoji.get(emoji) ?? new Set<string>();
      byEmoji.set(emoji, who);
      if (who.has(userId)) return false;
      who.add(userId);
      return true;
    },
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

/** Discord timestamps: ISO 8601 with microseconds and an explicit offset. */
export const discordTimestamp = (date = new Date()) => date.toISOString().replace('Z', '000+00:00');
