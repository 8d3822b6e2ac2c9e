import type { Answer } from './web-params.js';
import type { Workspace, WorkspaceMessage, WorkspaceUser } from './workspace.js';
import { BOT_USER, SANDBOX_APP_ID, SANDBOX_TEAM } from './workspace.js';

/** The user and message objects as the Web API answers with them. */

export function serializeUser(user: WorkspaceUser, withEmail: boolean): Answer {
  const [first = '', ...rest] = user.realName.split(' ');
  return {
    id: user.id,
    team_id: SANDBOX_TEAM.id,
    name: user.name,
    deleted: user.deleted,
    color: '9f69e7',
    real_name: user.realName,
    tz: user.tz,
    tz_label: user.tz === 'Europe/London' ? 'Greenwich Mean Time' : 'Pacific Standard Time',
    tz_offset: user.tz === 'Europe/London' ? 0 : -28800,
    profile: {
      title: '',
      phone: '',
      skype: '',
      real_name: user.realName,
      real_name_normalized: user.realName,
      display_name: user.isBot ? '' : user.name,
      display_name_normalized: user.isBot ? '' : user.name,
      fields: null,
      status_text: '',
      status_emoji: '',
      status_expiration: 0,
      avatar_hash: 'g0000000000a',
      ...(withEmail && user.email ? { email: user.email } : {}),
      first_name: first,
      last_name: rest.join(' '),
      image_24: `https://secure.gravatar.com/avatar/${user.id}.jpg?s=24`,
      image_48: `https://secure.gravatar.com/avatar/${user.id}.jpg?s=48`,
      image_72: `https://secure.gravatar.com/avatar/${user.id}.jpg?s=72`,
      ...(user.botId ? { bot_id: user.botId, api_app_id: SANDBOX_APP_ID } : {}),
      team: SANDBOX_TEAM.id,
    },
    is_admin: false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: user.isBot,
    is_app_user: false,
    updated: user.updated,
    is_email_confirmed: !user.isBot,
    who_can_share_contact_card: 'EVERYONE',
  };
}

export function serializeMessage(
  workspace: Workspace,
  m: WorkspaceMessage,
  withMetadata: boolean,
): Answer {
  const replies = workspace.replies(m.channel, m.ts);
  const reactions = workspace.reactionsOn(m.channel, m.ts);
  const isReply = m.threadTs !== null && m.threadTs !== m.ts;
  const parent = isReply ? workspace.find(m.channel, m.threadTs!) : undefined;
  return {
    type: 'message',
    ...(m.subtype ? { subtype: m.subtype } : {}),
    user: m.user,
    text: m.text,
    ts: m.ts,
    team: SANDBOX_TEAM.id,
    ...(m.botId
      ? {
          bot_id: m.botId,
          bot_profile: {
            id: m.botId,
            deleted: false,
            name: BOT_USER.name,
            updated: BOT_USER.updated,
            app_id: m.appId,
            icons: {
              image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png',
              image_48: 'https://a.slack-edge.com/80588/img/plugins/app/bot_48.png',
              image_72: 'https://a.slack-edge.com/80588/img/plugins/app/service_72.png',
            },
            team_id: SANDBOX_TEAM.id,
          },
        }
      : {}),
    ...(isReply
      ? { thread_ts: m.threadTs, ...(parent ? { parent_user_id: parent.user } : {}) }
      : {}),
    ...(replies.length > 0
      ? {
          thread_ts: m.ts,
          reply_count: replies.length,
          reply_users_count: new Set(replies.map((r) => r.user)).size,
          latest_reply: replies.at(-1)!.ts,
          reply_users: [...new Set(replies.map((r) => r.user))],
          subscribed: false,
        }
      : {}),
    ...(reactions.length > 0 ? { reactions } : {}),
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
  };
}
