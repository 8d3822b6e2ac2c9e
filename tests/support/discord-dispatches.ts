// Gateway dispatches as Discord sends them (Gateway Events reference), and the context townhall
// normalizes them in: one guild, its channels and a thread, one gateway session.
import type { ChannelInfo, DispatchContext } from '../../connectors/discord/normalize.js';

export const GUILD = '1199384020519211018';
export const GENERAL = '1199384021555212340';
export const SUPPORT = '1199384021555212341';
export const THREAD = '1213099876543210987';
export const SESSION = '8f4ef1c3a5e3b0d9f6a7c2e1d4b5a6c7';
export const RECEIVED = new Date('2026-11-24T12:30:00.000Z');

const channels: Record<string, ChannelInfo> = {
  [GENERAL]: { type: 0, parentId: null },
  [SUPPORT]: { type: 0, parentId: null },
  [THREAD]: { type: 11, parentId: SUPPORT },
};

export const ctx = (known: Record<string, ChannelInfo> = channels): DispatchContext => ({
  guildId: GUILD,
  channel: (id) => known[id],
  sessionId: SESSION,
  sequence: 42,
  receivedAt: RECEIVED,
});

/** User objects as the gateway sends them (users since the 2023 username change). */
export const ada = {
  id: '80351110224678912',
  username: 'ada',
  avatar: '8342729096ea3675442027381ff50dfe',
  discriminator: '0',
  public_flags: 64,
  flags: 64,
  banner: null,
  accent_color: null,
  global_name: 'Ada Lovelace',
  avatar_decoration_data: null,
  primary_guild: null,
};
export const bot = {
  ...ada,
  id: '1175823948372738048',
  username: 'helper-bot',
  global_name: null,
  bot: true,
};

/** GUILD_MEMBER_ADD: a guild member object plus guild_id (Gateway Events reference). */
export const memberAdd = {
  avatar: null,
  banner: null,
  communication_disabled_until: null,
  flags: 0,
  joined_at: '2026-11-24T12:00:00.123000+00:00',
  nick: null,
  pending: false,
  premium_since: null,
  roles: [],
  unusual_dm_activity_until: null,
  user: ada,
  mute: false,
  deaf: false,
  guild_id: GUILD,
};

/** MESSAGE_CREATE: a message object plus guild_id, member, mentions and channel_type. */
export const message = {
  type: 0,
  tts: false,
  timestamp: '2026-11-24T12:05:00.456000+00:00',
  pinned: false,
  nonce: '1310262358129967104',
  mentions: [],
  mention_roles: [],
  mention_everyone: false,
  member: {
    roles: [],
    premium_since: null,
    pending: false,
    nick: 'ada (she/her)',
    mute: false,
    joined_at: '2026-11-24T12:00:00.123000+00:00',
    flags: 0,
    deaf: false,
    communication_disabled_until: null,
    banner: null,
    avatar: null,
  },
  id: '1310262360587694151',
  flags: 0,
  embeds: [],
  edited_timestamp: null,
  content: 'How do I reset my password?',
  components: [],
  channel_type: 0,
  channel_id: GENERAL,
  author: ada,
  attachments: [],
  guild_id: GUILD,
};

/** MESSAGE_REACTION_ADD. */
export const reaction = {
  user_id: ada.id,
  type: 0,
  message_id: '1310262360587694151',
  message_author_id: '80351110224678999',
  member: { ...message.member, user: ada },
  emoji: { name: '🎫', id: null },
  channel_id: GENERAL,
  burst: false,
  burst_colors: [],
  guild_id: GUILD,
};

export const url = (channel: string, id: string) =>
  `https://discord.com/channels/${GUILD}/${channel}/${id}`;
export const adaMember = {
  userId: ada.id,
  communityId: GUILD,
  name: 'Ada Lovelace',
  handle: 'ada',
};
