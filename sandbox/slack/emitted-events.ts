import { randomUUID } from 'node:crypto';
import type { Fields, Json } from '../fields.js';
import { PayloadError, fieldsOf } from '../fields.js';
import type { Workspace } from './workspace.js';
import { SEED_CHANNELS } from './workspace.js';

/**
 * Turns what `POST /_sandbox/slack/emit` is given (an Events API event object as Slack sends
 * it, or a short form without ts, channel or known ids) into the event Slack would send, and
 * applies it to the workspace: joins become members, a person's message is posted there. Ids the
 * workspace does not know are added (a user, a channel the bot is in); a field Slack always sends
 * that is missing or of the wrong type is a PayloadError naming it.
 */

const SLACK_TS = /^\d{1,12}\.\d{1,9}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const CONVERSATION_ID = /^[CDG][A-Z0-9]{2,}$/;

function tsField(event: Fields, key: string): string | undefined {
  const ts = event.string(key);
  if (ts !== undefined && !SLACK_TS.test(ts))
    throw new PayloadError(`${event.name(key)} must be a Slack ts like 1355517523.000005`);
  return ts;
}

/** A user the event names: known, or added when the id looks like a Slack user id. */
function ensureUser(workspace: Workspace, event: Fields, key: string): void {
  const id = event.requireString(key);
  if (workspace.users.has(id)) return;
  if (!USER_ID.test(id))
    throw new PayloadError(`${event.name(key)} must be a user id such as U0ADALOVE, not ${id}`);
  workspace.addUser({ id, name: id.toLowerCase() });
}

function ensureConversation(workspace: Workspace, event: Fields, id: string, person: string) {
  if (workspace.conversations.has(id)) return;
  if (!CONVERSATION_ID.test(id))
    throw new PayloadError(
      `${event.name('channel')} must be a conversation id such as C0GENERAL, not ${id}`,
    );
  workspace.addConversation(id, person);
}

/** The Slack user object of team_join and user_change; a joining user becomes a member. */
function completeUserEvent(event: Fields, workspace: Workspace | undefined): Json {
  const user = event.requireObject('user');
  const id = user.requireString('id');
  const profile = user.object('profile');
  const name = user.string('name');
  const realName = profile?.string('real_name') ?? user.string('real_name');
  const email = profile?.string('email');
  if (workspace && event.value.type === 'team_join' && !workspace.users.has(id))
    workspace.addUser({
      id,
      name: name ?? id.toLowerCase(),
      realName: realName ?? name ?? id,
      email: email ?? null,
      isBot: user.boolean('is_bot') === true,
    });
  return event.value;
}

/** A person's message (message or app_mention without subtype): posted, with a real ts. */
function completePost(event: Fields, workspace: Workspace | undefined, teamId: string): Json {
  const user = event.requireString('user');
  const text = event.string('text') ?? '';
  const channel = event.string('channel') ?? SEED_CHANNELS.general;
  const ts = tsField(event, 'ts');
  const threadTs = tsField(event, 'thread_ts') ?? null;
  if (!workspace) return event.value;
  ensureUser(workspace, event, 'user');
  ensureConversation(workspace, event, channel, user);
  const message = { channel, threadTs, user, botId: null, appId: null, text };
  const unposted = { subtype: null, metadata: null };
  // A real event carries its ts: kept once in the workspace (Slack may send it twice).
  if (ts !== undefined) {
    if (!workspace.find(channel, ts)) workspace.post({ ...message, ...unposted, ts });
    return { ...event.value, channel };
  }
  const posted = workspace.post({ ...message, ...unposted });
  return {
    client_msg_id: randomUUID(),
    ...event.value,
    channel,
    ts: posted.ts,
    event_ts: posted.ts,
    team: teamId,
    ...(event.value.type === 'message'
      ? { channel_type: channel.startsWith('D') ? 'im' : 'channel' }
      : {}),
  };
}

function completeReaction(event: Fields, workspace: Workspace | undefined): Json {
  event.requireString('user');
  event.requireString('reaction');
  const item = event.requireObject('item');
  if (item.requireString('type') === 'message') {
    item.requireString('channel');
    if (tsField(item, 'ts') === undefined) throw new PayloadError(`${item.name('ts')} is required`);
  }
  if (workspace) ensureUser(workspace, event, 'user');
  return event.value;
}

/** The event to deliver for `given`, found at `path` in the request body ('' or 'event'). */
export function completeEvent(
  given: Json,
  path: string,
  workspace: Workspace | undefined,
  teamId: string,
): Json {
  const event = fieldsOf(given, path);
  switch (given.type) {
    case 'team_join':
    case 'user_change':
      return completeUserEvent(event, workspace);
    case 'message':
    case 'app_mention':
      // Edits, deletions, joins and bot posts have other shapes; they go out as given.
      return given.subtype === undefined && !given.bot_id && !given.hidden
        ? completePost(event, workspace, teamId)
        : given;
    case 'reaction_added':
      return completeReaction(event, workspace);
    default:
      return given;
  }
}
