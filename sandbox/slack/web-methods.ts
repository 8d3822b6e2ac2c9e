import type { Answer, Params } from './web-params.js';
import { SlackFailure, flag, inRange, paginate, parseMetadata, text } from './web-params.js';
import { serializeMessage, serializeUser } from './web-serialize.js';
import type { Conversation, Workspace } from './workspace.js';
import { BOT_USER, SANDBOX_APP_ID, SANDBOX_TEAM } from './workspace.js';

/** The Web API methods the emulator serves, each answering as Slack's reference describes. */

export interface CallContext {
  params: Params;
  scopes: ReadonlySet<string>;
}

export type Method = (ctx: CallContext) => Answer;

/**
 * The scope a call needs. Reads of a DM need im:history, of a channel channels:history
 * (docs.slack.dev, conversations.history "Required scopes").
 */
export function scopeFor(workspace: Workspace, method: string, params: Params): string | undefined {
  const history = () => {
    const kind = workspace.conversations.get(text(params.channel) ?? '')?.kind;
    return kind === 'im' ? 'im:history' : kind === 'mpim' ? 'mpim:history' : 'channels:history';
  };
  switch (method) {
    case 'chat.postMessage':
      return 'chat:write';
    case 'conversations.open':
      return 'im:write';
    case 'conversations.history':
    case 'conversations.replies':
      return history();
    case 'users.info':
      return 'users:read';
    case 'users.lookupByEmail':
      return 'users:read.email';
    case 'reactions.add':
      return 'reactions:write';
    default:
      return undefined;
  }
}

export function webMethods(workspace: Workspace): Record<string, Method> {
  function conversation(params: Params, name = 'channel'): Conversation {
    const id = text(params[name]) ?? '';
    const found = workspace.conversations.get(id);
    if (!found) throw new SlackFailure('channel_not_found');
    return found;
  }

  return {
    'auth.test': () => ({
      url: `https://${SANDBOX_TEAM.domain}.slack.com/`,
      team: SANDBOX_TEAM.name,
      user: BOT_USER.name,
      team_id: SANDBOX_TEAM.id,
      user_id: BOT_USER.id,
      bot_id: BOT_USER.botId,
      is_enterprise_install: false,
    }),

    'chat.postMessage': ({ params }) => {
      const target = text(params.channel) ?? '';
      // A channel id, a #name, or a user id (which posts in the app's DM with that person).
      let channel =
        workspace.conversations.get(target) ?? workspace.byName(target.replace(/^#/, ''));
      const person = workspace.users.get(target);
      if (!channel && person && !person.isBot) channel = workspace.openDm([person.id]).conversation;
      if (!channel) throw new SlackFailure('channel_not_found');
      if (!channel.members.has(BOT_USER.id)) throw new SlackFailure('not_in_channel');
      const body = text(params.text) ?? '';
      if (!body.trim() && params.blocks === undefined && params.attachments === undefined)
        throw new SlackFailure('no_text');
      if (body.length > 40_000) throw new SlackFailure('msg_too_long');
      const metadata = parseMetadata(params.metadata);
      // Slack accepts any thread_ts; a reply's ts stands for its root. An unknown one makes an
      // orphan reply that no channel view shows (python-slack-sdk#840 describes exactly that).
      let threadTs = text(params.thread_ts) ?? null;
      const root = threadTs ? workspace.find(channel.id, threadTs) : undefined;
      if (root?.threadTs && root.threadTs !== root.ts) threadTs = root.threadTs;
      const message = workspace.post({
        channel: channel.id,
        threadTs,
        user: BOT_USER.id,
        botId: BOT_USER.botId,
        appId: SANDBOX_APP_ID,
        text: body,
        subtype: threadTs && flag(params.reply_broadcast) ? 'thread_broadcast' : null,
        metadata,
      });
      return {
        channel: channel.id,
        ts: message.ts,
        message: serializeMessage(workspace, message, true),
      };
    },

    // Slack's documented link shape: /archives/<channel>/p<ts without the dot>; a reply's link
    // names its thread so the app opens it there.
    'chat.getPermalink': ({ params }) => {
      const channel = conversation(params);
      const message = workspace.find(channel.id, text(params.message_ts) ?? '');
      if (!message) throw new SlackFailure('message_not_found');
      const base = `https://${SANDBOX_TEAM.domain}.slack.com/archives/${channel.id}/p${message.ts.replace('.', '')}`;
      const reply = message.threadTs !== null && message.threadTs !== message.ts;
      return {
        channel: channel.id,
        permalink: reply ? `${base}?thread_ts=${message.threadTs}&cid=${channel.id}` : base,
      };
    },

    'reactions.add': ({ params }) => {
      const channel = conversation(params);
      const ts = text(params.timestamp) ?? '';
      if (!/^\d+\.\d+$/.test(ts)) throw new SlackFailure('bad_timestamp');
      if (!workspace.find(channel.id, ts)) throw new SlackFailure('message_not_found');
      // Any emoji name Slack could know (the workspace's custom ones too): lowercase words.
      const name = text(params.name) ?? '';
      if (!/^[a-z0-9_+'-]+(::skin-tone-[2-6])?$/.test(name)) throw new SlackFailure('invalid_name');
      if (!workspace.react(channel.id, ts, name, BOT_USER.id))
        throw new SlackFailure('already_reacted');
      return {};
    },

    'conversations.open': ({ params }) => {
      const users = (text(params.users) ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      if (users.length === 0) {
        if (params.channel === undefined) throw new SlackFailure('users_list_not_supplied');
        const existing = conversation(params);
        if (existing.kind === 'channel')
          throw new SlackFailure('method_not_supported_for_channel_type');
        return { no_op: true, already_open: true, channel: { id: existing.id } };
      }
      if (users.length > 8) throw new SlackFailure('too_many_users');
      for (const id of users) {
        const user = workspace.users.get(id);
        if (!user) throw new SlackFailure('user_not_found');
        if (user.deleted) throw new SlackFailure('user_disabled');
      }
      const { conversation: dm, alreadyOpen } = workspace.openDm(users);
      const full = {
        id: dm.id,
        created: dm.created,
        is_im: dm.kind === 'im',
        is_mpim: dm.kind === 'mpim',
        is_org_shared: false,
        context_team_id: SANDBOX_TEAM.id,
        ...(dm.user ? { user: dm.user } : {}),
        last_read: '0000000000.000000',
        latest: null,
        unread_count: 0,
        unread_count_display: 0,
        is_open: true,
        priority: 0,
      };
      return {
        ...(alreadyOpen ? { no_op: true, already_open: true } : {}),
        channel: flag(params.return_im) ? full : { id: dm.id },
      };
    },

    'conversations.history': ({ params }) => {
      const channel = conversation(params);
      if (!channel.members.has(BOT_USER.id)) throw new SlackFailure('not_in_channel');
      const page = paginate(
        workspace.history(channel.id).filter(inRange(params)),
        params,
        100,
        999,
      );
      const withMetadata = flag(params.include_all_metadata);
      return {
        messages: page.items.map((m) => serializeMessage(workspace, m, withMetadata)),
        has_more: page.hasMore,
        pin_count: 0,
        channel_actions_ts: null,
        channel_actions_count: 0,
        ...(page.response_metadata ? { response_metadata: page.response_metadata } : {}),
      };
    },

    'conversations.replies': ({ params }) => {
      const channel = conversation(params);
      const ts = text(params.ts) ?? '';
      if (!workspace.find(channel.id, ts)) throw new SlackFailure('thread_not_found');
      const thread = workspace.thread(channel.id, ts).filter(inRange(params));
      const page = paginate(thread, params, 1000, 1000);
      const withMetadata = flag(params.include_all_metadata);
      return {
        messages: page.items.map((m) => serializeMessage(workspace, m, withMetadata)),
        has_more: page.hasMore,
        ...(page.response_metadata ? { response_metadata: page.response_metadata } : {}),
      };
    },

    'users.info': ({ params, scopes }) => {
      const user = workspace.users.get(text(params.user) ?? '');
      if (!user) throw new SlackFailure('user_not_found');
      // The email is part of the profile only for tokens holding users:read.email.
      return { user: serializeUser(user, scopes.has('users:read.email')) };
    },

    'users.lookupByEmail': ({ params }) => {
      const user = workspace.byEmail(text(params.email) ?? '');
      if (!user || user.deleted) throw new SlackFailure('users_not_found');
      return { user: serializeUser(user, true) };
    },
  };
}
