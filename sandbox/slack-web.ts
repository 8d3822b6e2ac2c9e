import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import type { Faults } from './faults.js';
import type { SlackSpec } from './slack-web-spec.js';
import { loadSlackSpec } from './slack-web-spec.js';
import type {
  Conversation,
  Workspace,
  WorkspaceMessage,
  WorkspaceUser,
} from './slack-web-store.js';
import { BOT_USER, SANDBOX_APP_ID, SANDBOX_TEAM, createWorkspace } from './slack-web-store.js';

export interface SlackWebSandboxOptions {
  /** The bot token (xoxb-...) the emulator accepts, with every scope townhall uses. */
  botToken: string;
  faults: Faults;
  /** The Slack Web API description; defaults to sandbox/specs/slack/web-api.openapi.json. */
  specPath?: string;
}

/** Scopes the sandbox bot token holds: all that townhall's connector needs. */
export const BOT_SCOPES = [
  'chat:write',
  'im:write',
  'im:history',
  'mpim:history',
  'channels:history',
  'groups:history',
  'users:read',
  'users:read.email',
] as const;

/** Web API method names: `chat.postMessage`, `users.lookupByEmail` (never Discord's /api/v10/...). */
const METHOD = /^[a-z]+(\.[A-Za-z0-9_]+)+$/;

/** The call log keeps the latest calls only, so a long-running sandbox does not grow forever. */
const MAX_CALLS_KEPT = 5_000;

type Params = Record<string, unknown>;
interface Call {
  method: string;
  params?: Params;
  at: string;
}
type Answer = Record<string, unknown>;

/** Slack's failure: HTTP 200 with `{ ok: false, error }` (plus what the error carries). */
class SlackFailure extends Error {
  constructor(
    readonly error: string,
    readonly extra: Answer = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(error);
  }
}

/** The faults middleware's bodies: Slack's 429 says `ratelimited`; 5xx bodies are Slack's too. */
function errorBody(status: number): unknown {
  if (status === 429) return { ok: false, error: 'ratelimited' };
  if (status >= 500) return { ok: false, error: 'internal_error' };
  return { ok: false, error: `http_${status}` };
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
const flag = (value: unknown): boolean => value === true || value === 'true' || value === '1';

/** A Slack cursor: opaque base64, `next_ts:<ts>` for message lists (as Slack's own look). */
const encodeCursor = (ts: string) => Buffer.from(`next_ts:${ts}`).toString('base64');
function decodeCursor(cursor: unknown): string | undefined {
  const value = text(cursor);
  if (!value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  if (!decoded.startsWith('next_ts:')) throw new SlackFailure('invalid_cursor');
  return decoded.slice('next_ts:'.length);
}

function limitOf(value: unknown, fallback: number, max: number): number {
  const limit = Number(text(value) ?? fallback);
  return Number.isInteger(limit) && limit > 0 ? Math.min(limit, max) : fallback;
}

/** oldest/latest/inclusive, as conversations.history and conversations.replies read them. */
function inRange(params: Params) {
  const oldest = Number(text(params.oldest) ?? 0);
  const latest = text(params.latest) === undefined ? Infinity : Number(text(params.latest));
  const inclusive = flag(params.inclusive);
  if (Number.isNaN(oldest)) throw new SlackFailure('invalid_ts_oldest');
  if (Number.isNaN(latest)) throw new SlackFailure('invalid_ts_latest');
  return (m: WorkspaceMessage) => {
    const ts = Number(m.ts);
    return inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
  };
}

/** One page of `list` (already in answer order) starting at the cursor's message. */
function paginate(list: WorkspaceMessage[], params: Params, fallback: number, max: number) {
  const limit = limitOf(params.limit, fallback, max);
  const from = decodeCursor(params.cursor);
  const start = from === undefined ? 0 : list.findIndex((m) => m.ts === from);
  if (start < 0) throw new SlackFailure('invalid_cursor');
  const items = list.slice(start, start + limit);
  const next = list[start + limit];
  return {
    items,
    hasMore: next !== undefined,
    ...(next ? { response_metadata: { next_cursor: encodeCursor(next.ts) } } : {}),
  };
}

function serializeUser(user: WorkspaceUser, withEmail: boolean): Answer {
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

function serializeMessage(
  workspace: Workspace,
  m: WorkspaceMessage,
  withMetadata: boolean,
): Answer {
  const replies = workspace.replies(m.channel, m.ts);
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
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
  };
}

/** message metadata: `{ event_type, event_payload }`, JSON text in a form, an object in JSON. */
function parseMetadata(value: unknown): WorkspaceMessage['metadata'] {
  if (value === undefined || value === '') return null;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new SlackFailure('invalid_metadata_format');
    }
  }
  const metadata = parsed as { event_type?: unknown; event_payload?: unknown } | null;
  if (
    typeof metadata !== 'object' ||
    metadata === null ||
    typeof metadata.event_type !== 'string' ||
    !/^[A-Za-z0-9_]+$/.test(metadata.event_type) ||
    typeof metadata.event_payload !== 'object' ||
    metadata.event_payload === null ||
    Array.isArray(metadata.event_payload)
  )
    throw new SlackFailure('invalid_metadata_format');
  return {
    event_type: metadata.event_type,
    event_payload: metadata.event_payload as Record<string, unknown>,
  };
}

interface CallContext {
  params: Params;
  scopes: ReadonlySet<string>;
}

/**
 * The scope a call needs. Reads of a DM need im:history, of a channel channels:history
 * (docs.slack.dev, conversations.history "Required scopes").
 */
function scopeFor(workspace: Workspace, method: string, params: Params): string | undefined {
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
    default:
      return undefined;
  }
}

export function createSlackWebSandbox(options: SlackWebSandboxOptions) {
  const workspace = createWorkspace();
  const defaultTokens = () => new Map([[options.botToken, new Set<string>(BOT_SCOPES)]]);
  let tokens = defaultTokens();
  /** Every Web API call that arrived, for GET /_sandbox/slack/calls. */
  const calls: Call[] = [];

  let spec: SlackSpec | undefined;
  let specError: string | undefined;
  try {
    spec = loadSlackSpec(options.specPath);
  } catch (error) {
    specError = (error as Error).message;
  }

  function conversation(params: Params, name = 'channel'): Conversation {
    const id = text(params[name]) ?? '';
    const found = workspace.conversations.get(id);
    if (!found) throw new SlackFailure('channel_not_found');
    return found;
  }

  const methods: Record<string, (ctx: CallContext) => Answer> = {
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

  /** Query and body merged, as Slack reads them; a JSON body never carries the token. */
  function readRequest(req: Request): { params: Params; token: string | undefined } {
    const params: Params = {};
    for (const [key, value] of Object.entries(req.query))
      params[key] = Array.isArray(value) ? value[0] : value;
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const type = req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    let json = false;
    if (raw.length > 0) {
      if (!type) throw new SlackFailure('missing_post_type');
      if (type === 'application/json') {
        json = true;
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new SlackFailure('invalid_json');
        }
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw new SlackFailure('json_not_object');
        Object.assign(params, body);
      } else if (type === 'application/x-www-form-urlencoded') {
        for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) params[key] = value;
      } else {
        throw new SlackFailure('invalid_post_type');
      }
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const inBody = json ? undefined : text(params.token);
    delete params.token;
    return { params, token: bearer ?? inBody };
  }

  function answer(res: Response, body: Answer, headers: Record<string, string> = {}) {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.status(200).json(body);
  }

  const router = express.Router();

  router.all(
    '/api/:method',
    (req: Request, res: Response, next: NextFunction) => {
      if (!METHOD.test(String(req.params.method))) return next('route');
      const call: Call = { method: String(req.params.method), at: new Date().toISOString() };
      calls.push(call);
      res.locals.call = call;
      if (calls.length > MAX_CALLS_KEPT) calls.splice(0, calls.length - MAX_CALLS_KEPT);
      next();
    },
    options.faults.middleware('slack', errorBody, { dropAfterHandling: true }),
    express.raw({ type: () => true, limit: '1mb' }),
    (req: Request, res: Response) => {
      const method = String(req.params.method);
      const scopesHeader: Record<string, string> = {};
      try {
        if (req.method !== 'GET' && req.method !== 'POST')
          throw new SlackFailure('invalid_post_type');
        const { params, token } = readRequest(req);
        (res.locals.call as Call).params = params;
        if (!token) throw new SlackFailure('not_authed');
        const scopes = tokens.get(token);
        if (!scopes) throw new SlackFailure('invalid_auth');
        scopesHeader['x-oauth-scopes'] = [...scopes].join(',');
        const handler = methods[method];
        if (!handler || !spec?.has(method))
          throw new SlackFailure('unknown_method', {
            req_method: method,
            ...(specError ? { warning: `slack sandbox: ${specError}` } : {}),
          });
        const problems = spec.check(method, params);
        if (problems.length > 0)
          throw new SlackFailure('invalid_arguments', {
            response_metadata: { messages: problems },
          });
        const needed = scopeFor(workspace, method, params);
        if (needed && !scopes.has(needed))
          throw new SlackFailure(
            'missing_scope',
            { needed, provided: [...scopes].join(',') },
            { 'x-accepted-oauth-scopes': needed },
          );
        answer(res, { ok: true, ...handler({ params, scopes }) }, scopesHeader);
      } catch (error) {
        if (!(error instanceof SlackFailure)) throw error;
        answer(
          res,
          { ok: false, error: error.error, ...error.extra },
          { ...scopesHeader, ...error.headers },
        );
      }
    },
  );

  router.get('/_sandbox/slack/messages', (req, res) => {
    const channel = text(req.query.channel);
    res.json(
      workspace.messages
        .filter((m) => !channel || m.channel === channel)
        .map((m) => ({
          channel: m.channel,
          ts: m.ts,
          thread_ts: m.threadTs,
          text: m.text,
          user: m.user,
          bot_id: m.botId,
          subtype: m.subtype,
          metadata: m.metadata,
        })),
    );
  });

  /** Messages people posted (a thread to reply to, history to page through): one or a list. */
  router.post('/_sandbox/slack/messages', express.json({ limit: '5mb' }), (req, res) => {
    const list = (Array.isArray(req.body) ? req.body : [req.body]) as Answer[];
    const created: { channel: string; ts: string }[] = [];
    for (const item of list) {
      const channel = workspace.conversations.get(text(item?.channel) ?? '');
      const user = workspace.users.get(text(item?.user) ?? '');
      if (!channel || !user || typeof item.text !== 'string') {
        res
          .status(400)
          .json({ error: 'each message needs a known channel, a known user and text' });
        return;
      }
      const message = workspace.post({
        channel: channel.id,
        threadTs: text(item.thread_ts) ?? null,
        user: user.id,
        botId: null,
        appId: null,
        text: item.text,
        subtype: null,
        metadata: null,
      });
      created.push({ channel: message.channel, ts: message.ts });
    }
    res.status(201).json(Array.isArray(req.body) ? created : created[0]);
  });

  router.get('/_sandbox/slack/users', (_req, res) => {
    res.json([...workspace.users.values()].map((u) => serializeUser(u, true)));
  });

  router.post('/_sandbox/slack/users', express.json(), (req, res) => {
    const body = (req.body ?? {}) as Answer;
    const name = text(body.name);
    const id = text(body.id);
    if (!name || !/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
      res.status(400).json({ error: 'a user needs a lowercase "name" (the handle)' });
      return;
    }
    if (id !== undefined && !/^[UW][A-Z0-9]{2,}$/.test(id)) {
      res.status(400).json({ error: '"id" must look like a Slack user id, e.g. U0123ABCD' });
      return;
    }
    if (
      (id && workspace.users.has(id)) ||
      [...workspace.users.values()].some((u) => u.name === name)
    ) {
      res.status(409).json({ error: 'a user with that id or name exists' });
      return;
    }
    const user = workspace.addUser({
      ...(id ? { id } : {}),
      name,
      ...(text(body.real_name) ? { realName: text(body.real_name) } : {}),
      email: text(body.email) ?? null,
      isBot: body.is_bot === true,
    });
    res.status(201).json(serializeUser(user, true));
  });

  /** Another token with the given scopes, e.g. one without users:read.email. */
  router.post('/_sandbox/slack/tokens', express.json(), (req, res) => {
    const body = (req.body ?? {}) as { token?: unknown; scopes?: unknown };
    if (typeof body.token !== 'string' || !Array.isArray(body.scopes)) {
      res
        .status(400)
        .json({ error: 'body: { "token": "xoxb-...", "scopes": ["chat:write", ...] }' });
      return;
    }
    tokens.set(body.token, new Set(body.scopes.map(String)));
    res.status(201).json({ token: body.token, scopes: body.scopes });
  });

  router.get('/_sandbox/slack/calls', (_req, res) => {
    res.json(calls);
  });

  return {
    router,
    workspace,
    reset() {
      workspace.reset();
      tokens = defaultTokens();
      calls.length = 0;
    },
  };
}
