import type { Fields, Json } from '../fields.js';
import { PayloadError, fieldsOf } from '../fields.js';
import { serializeChannel, serializeMember, serializeMessage, serializeUser } from './serialize.js';
import { channelAt, snowflake, userAt, userFromObject } from './refs.js';
import type { GuildState, GuildUser } from './store.js';
import { discordTimestamp } from './store.js';

/**
 * Completes a dispatch the way Discord would send it, from what a test or a person gives to
 * `POST /_sandbox/discord/emit`, and applies it to the guild state (a member joins, a message is
 * stored, a thread opens). `d` may be Discord's own dispatch object (users as user objects,
 * every field present) or a short form: users named by id or username, defaults for the rest.
 * Users and channels with ids the guild does not know are added to it. Returns the full `d`;
 * throws a PayloadError naming the field when it cannot be built.
 */

/** A member object given with a message or reaction makes its user a member, as it shows. */
function joinFromMember(state: GuildState, d: Fields, user: GuildUser): void {
  const member = d.object('member');
  if (member && !state.members.has(user.id))
    state.addMember(user.id, member.string('nick') ?? null);
}

function memberAdd(state: GuildState, d: Fields): Json {
  const spec = d.object('user');
  const id = spec?.string('id');
  const known = id === undefined ? undefined : state.byRef(id);
  if (spec && id !== undefined && !known) snowflake(spec, 'id');
  const user =
    known ??
    state.addUser({
      ...(id !== undefined ? { id } : {}),
      username: spec?.string('username') ?? `member${Date.now() % 1e6}`,
      globalName: spec?.string('global_name') ?? null,
      bot: spec?.boolean('bot') === true,
    });
  const member = state.addMember(user.id, d.string('nick') ?? null);
  const joinedAt = d.string('joined_at');
  if (joinedAt !== undefined) member.joinedAt = joinedAt;
  return { ...serializeMember(state, member), guild_id: state.ids.guild };
}

function memberRemove(state: GuildState, d: Fields): Json {
  const spec = d.requireObject('user');
  const ref = spec.string('id') ?? spec.string('username');
  if (ref === undefined) throw new PayloadError(`${spec.name('id')} is required`);
  const user =
    state.byRef(ref) ?? (spec.string('id') !== undefined ? userFromObject(state, spec) : undefined);
  if (!user) throw new PayloadError(`${spec.name('username')}: no such user: ${ref}`);
  state.members.delete(user.id);
  return { guild_id: state.ids.guild, user: serializeUser(user) };
}

function messageCreate(state: GuildState, d: Fields): Json {
  const author = userAt(state, d, 'author', 'ada');
  joinFromMember(state, d, author);
  const channel = channelAt(state, d, 'channel_id', state.ids.channels.general);
  const message = {
    id: snowflake(d, 'id') ?? state.nextId(),
    channelId: channel.id,
    authorId: author.id,
    content: d.string('content') ?? '',
    timestamp: d.string('timestamp') ?? discordTimestamp(),
    type: d.number('type') ?? 0,
    nonce: null,
    reference: null,
    viaApi: false,
  };
  state.messages.set(message.id, message);
  const member = state.members.get(author.id);
  const { author: _given, ...rest } = d.value;
  return {
    ...serializeMessage(state, message),
    guild_id: state.ids.guild,
    channel_type: channel.type,
    ...(member ? { member: serializeMember(state, member, false) } : {}),
    ...rest,
    channel_id: channel.id,
    id: message.id,
  };
}

function reactionAdd(state: GuildState, d: Fields): Json {
  const memberUser = d.object('member')?.object('user');
  const user =
    d.value.user_id === undefined && memberUser
      ? userFromObject(state, memberUser)
      : userAt(state, d, 'user_id', 'ada');
  joinFromMember(state, d, user);
  const messageId = snowflake(d, 'message_id');
  if (messageId === undefined) throw new PayloadError(`${d.name('message_id')} is required`);
  d.object('emoji'); // when given, an emoji object such as { id: null, name: '🎫' }
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
    guild_id: state.ids.guild,
    ...d.value,
    user_id: user.id,
  };
}

function threadCreate(state: GuildState, d: Fields): Json {
  const ownerRef = d.string('owner_id') ?? 'ada';
  const thread = state.addChannel({
    ...(d.string('id') !== undefined ? { id: snowflake(d, 'id') } : {}),
    type: d.number('type') ?? 11,
    name: d.string('name') ?? 'new thread',
    parentId: d.string('parent_id') ?? state.ids.channels.support,
    ownerId: state.byRef(ownerRef)?.id ?? null,
  });
  return { ...serializeChannel(state, thread), newly_created: true };
}

const COMPLETERS: Record<string, (state: GuildState, d: Fields) => Json> = {
  GUILD_MEMBER_ADD: memberAdd,
  GUILD_MEMBER_REMOVE: memberRemove,
  MESSAGE_CREATE: messageCreate,
  MESSAGE_REACTION_ADD: reactionAdd,
  THREAD_CREATE: threadCreate,
};

/** The full `d` for dispatch `t`; other dispatches go out as given. */
export function completeDispatch(state: GuildState, t: string, given: Json): Json {
  const complete = COMPLETERS[t];
  return complete ? complete(state, fieldsOf(given, 'd')) : given;
}
