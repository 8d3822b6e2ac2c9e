import type { Fields } from '../fields.js';
import { PayloadError } from '../fields.js';
import type { ChannelRecord, GuildState, GuildUser } from './store.js';

/**
 * Users and channels as the emitters' payloads name them: Discord's own objects and snowflakes,
 * or the sandbox's short forms (a username). Ids the guild does not know are added to it.
 */

export const SNOWFLAKE = /^\d{1,20}$/;

export function snowflake(fields: Fields, key: string): string | undefined {
  const id = fields.string(key);
  if (id !== undefined && !SNOWFLAKE.test(id))
    throw new PayloadError(`${fields.name(key)} must be a snowflake (a string of digits)`);
  return id;
}

/** A Discord user object: the known user with its id, or a new one made from its fields. */
export function userFromObject(state: GuildState, user: Fields): GuildUser {
  const id = snowflake(user, 'id');
  if (id === undefined) throw new PayloadError(`${user.name('id')} is required`);
  return (
    state.users.get(id) ??
    state.addUser({
      id,
      username: user.string('username') ?? `user${id.slice(-6)}`,
      globalName: user.string('global_name') ?? null,
      bot: user.boolean('bot') === true,
    })
  );
}

/** The user at `d[key]`: a user object, an id or a username; `fallback` when absent. */
export function userAt(state: GuildState, d: Fields, key: string, fallback: string): GuildUser {
  const value = d.value[key] ?? fallback;
  if (typeof value === 'object') return userFromObject(state, d.requireObject(key));
  if (typeof value !== 'string')
    throw new PayloadError(`${d.name(key)} must be a user object, a user id or a username`);
  const known = state.byRef(value);
  if (known) return known;
  if (SNOWFLAKE.test(value))
    return state.addUser({ id: value, username: `user${value.slice(-6)}` });
  throw new PayloadError(`${d.name(key)}: no such user: ${value}`);
}

/** The channel at `d[key]`, added as a text channel (or `channel_type`) when its id is new. */
export function channelAt(
  state: GuildState,
  d: Fields,
  key: string,
  fallback: string,
): ChannelRecord {
  const id = d.string(key) ?? fallback;
  const known = state.channels.get(id);
  if (known) return known;
  if (!SNOWFLAKE.test(id)) throw new PayloadError(`${d.name(key)}: no such channel: ${id}`);
  return state.addChannel({ id, type: d.number('channel_type') ?? 0 });
}
