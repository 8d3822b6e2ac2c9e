import { createHash } from 'node:crypto';

/** One sandbox workspace: people, conversations and messages, as the Web API emulator sees them. */

export interface WorkspaceUser {
  id: string;
  name: string;
  realName: string;
  email: string | null;
  isBot: boolean;
  botId: string | null;
  deleted: boolean;
  tz: string;
  updated: number;
}

export interface Conversation {
  id: string;
  name: string | null;
  kind: 'channel' | 'im' | 'mpim';
  /** For a DM: the person (not the bot) on the other side. */
  user: string | null;
  members: Set<string>;
  created: number;
  isGeneral: boolean;
}

export interface WorkspaceMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  user: string;
  botId: string | null;
  appId: string | null;
  text: string;
  subtype: string | null;
  metadata: { event_type: string; event_payload: Record<string, unknown> } | null;
}

export const SANDBOX_TEAM = { id: 'T0SANDBOX', name: 'Sandbox', domain: 'sandbox' } as const;
export const SANDBOX_APP_ID = 'A0SANDBOX';

/** The app's bot user: what auth.test answers and who chat.postMessage posts as. */
export const BOT_USER: WorkspaceUser = {
  id: 'U0TOWNBOT',
  name: 'townhall',
  realName: 'townhall',
  email: null,
  isBot: true,
  botId: 'B0TOWNBOT',
  deleted: false,
  tz: 'America/Los_Angeles',
  updated: 1_700_000_000,
};

const SEED_USERS: Omit<WorkspaceUser, 'isBot' | 'botId' | 'deleted' | 'tz' | 'updated'>[] = [
  { id: 'U0ADALOVE', name: 'ada', realName: 'Ada Lovelace', email: 'ada@example.com' },
  { id: 'U0GRACEHO', name: 'grace', realName: 'Grace Hopper', email: 'grace@example.com' },
  { id: 'U0LINUSTO', name: 'linus', realName: 'Linus Torvalds', email: 'linus@example.com' },
];

export const SEED_CHANNELS = {
  /** #general: everyone, the bot included. */
  general: 'C0GENERAL',
  /** #random: the people but not the bot (posting there is not_in_channel). */
  random: 'C0RANDOM0',
  /** #community-team: the community team and the bot, where journeys' notices go. */
  team: 'C0TEAM000',
} as const;

/** Microseconds since the epoch as a Slack ts, "1700000000.000100". */
function formatTs(micros: number): string {
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}
const micros = (ts: string) => Math.round(Number(ts) * 1e6);

export function createWorkspace() {
  const users = new Map<string, WorkspaceUser>();
  const conversations = new Map<string, Conversation>();
  /** Every message, in the order it was posted. */
  const messages: WorkspaceMessage[] = [];
  const lastTs = new Map<string, number>();
  /** `<channel>:<ts>` → emoji name → who reacted so, in the order they did. */
  const reactions = new Map<string, Map<string, Set<string>>>();

  function seed() {
    reactions.clear();
    users.clear();
    conversations.clear();
    messages.length = 0;
    lastTs.clear();
    users.set(BOT_USER.id, { ...BOT_USER });
    for (const user of SEED_USERS)
      users.set(user.id, {
        ...user,
        isBot: false,
        botId: null,
        deleted: false,
        tz: 'Europe/London',
        updated: 1_700_000_000,
      });
    const people = SEED_USERS.map((u) => u.id);
    conversations.set(SEED_CHANNELS.general, {
      id: SEED_CHANNELS.general,
      name: 'general',
      kind: 'channel',
      user: null,
      members: new Set([...people, BOT_USER.id]),
      created: 1_700_000_000,
      isGeneral: true,
    });
    conversations.set(SEED_CHANNELS.random, {
      id: SEED_CHANNELS.random,
      name: 'random',
      kind: 'channel',
      user: null,
      members: new Set(people),
      created: 1_700_000_000,
      isGeneral: false,
    });
    conversations.set(SEED_CHANNELS.team, {
      id: SEED_CHANNELS.team,
      name: 'community-team',
      kind: 'channel',
      user: null,
      members: new Set([...people, BOT_USER.id]),
      created: 1_700_000_000,
      isGeneral: false,
    });
  }
  seed();

  /** A realistic ts: now, in microseconds, strictly after the channel's previous message. */
  function nextTs(channel: string): string {
    const now = Date.now() * 1000;
    const ts = Math.max(now, (lastTs.get(channel) ?? 0) + 1);
    lastTs.set(channel, ts);
    return formatTs(ts);
  }

  return {
    users,
    conversations,
    messages,
    reset: seed,

    addUser(input: {
      id?: string;
      name: string;
      realName?: string;
      email?: string | null;
      isBot?: boolean;
    }) {
      const id =
        input.id ??
        `U0${createHash('sha1').update(input.name).digest('hex').slice(0, 8).toUpperCase()}`;
      const user: WorkspaceUser = {
        id,
        name: input.name,
        realName: input.realName ?? input.name,
        email: input.email ?? null,
        isBot: input.isBot ?? false,
        botId: null,
        deleted: false,
        tz: 'Europe/London',
        updated: Math.floor(Date.now() / 1000),
      };
      users.set(id, user);
      // Everyone joins #general, as in a new Slack workspace.
      conversations.get(SEED_CHANNELS.general)?.members.add(id);
      return user;
    },

    byEmail: (email: string) =>
      [...users.values()].find((u) => u.email?.toLowerCase() === email.toLowerCase()),

    byName: (name: string) =>
      [...conversations.values()].find((c) => c.kind === 'channel' && c.name === name),

    /** The bot's DM (or group DM) with these people, opened on first use. */
    openDm(people: string[]): { conversation: Conversation; alreadyOpen: boolean } {
      const sorted = [...new Set(people)].sort();
      const id =
        sorted.length === 1
          ? `D${sorted[0]!.slice(1)}`
          : `G${createHash('sha1').update(sorted.join(',')).digest('hex').slice(0, 9).toUpperCase()}`;
      const existing = conversations.get(id);
      if (existing) return { conversation: existing, alreadyOpen: true };
      const conversation: Conversation = {
        id,
        name: null,
        kind: sorted.length === 1 ? 'im' : 'mpim',
        user: sorted.length === 1 ? sorted[0]! : null,
        members: new Set([...sorted, BOT_USER.id]),
        created: Math.floor(Date.now() / 1000),
        isGeneral: false,
      };
      conversations.set(id, conversation);
      return { conversation, alreadyOpen: false };
    },

    /** A new message; `ts` only for one that already has its own (an emitted real event). */
    post(input: Omit<WorkspaceMessage, 'ts'> & { ts?: string }): WorkspaceMessage {
      const message = { ...input, ts: input.ts ?? nextTs(input.channel) };
      messages.push(message);
      return message;
    },

    /**
     * A conversation an emitted event names that the workspace does not know: a DM (D...) with
     * that person, else a channel. The bot is in it, as Slack sends events only from those.
     */
    addConversation(id: string, person: string | null): Conversation {
      const dm = id.startsWith('D');
      const conversation: Conversation = {
        id,
        name: dm ? null : id.toLowerCase(),
        kind: dm ? 'im' : 'channel',
        user: dm ? person : null,
        members: new Set([BOT_USER.id, ...(person ? [person] : [])]),
        created: Math.floor(Date.now() / 1000),
        isGeneral: false,
      };
      conversations.set(id, conversation);
      return conversation;
    },

    find: (channel: string, ts: string) =>
      messages.find((m) => m.channel === channel && m.ts === ts),

    /** Top-level messages (and thread roots, and broadcast replies), newest first. */
    history(channel: string): WorkspaceMessage[] {
      return messages
        .filter(
          (m) =>
            m.channel === channel &&
            (m.threadTs === null || m.threadTs === m.ts || m.subtype === 'thread_broadcast'),
        )
        .sort((a, b) => micros(b.ts) - micros(a.ts));
    },

    /** The root then its replies, oldest first. */
    thread(channel: string, ts: string): WorkspaceMessage[] {
      return messages
        .filter((m) => m.channel === channel && (m.ts === ts || m.threadTs === ts))
        .sort((a, b) => micros(a.ts) - micros(b.ts));
    },

    /** Adds `user`'s reaction; false when it was already there (Slack's already_reacted). */
    react(channel: string, ts: string, name: string, user: string): boolean {
      const key = `${channel}:${ts}`;
      const byName = reactions.get(key) ?? new Map<string, Set<string>>();
      reactions.set(key, byName);
      const who = byName.get(name) ?? new Set<string>();
      byName.set(name, who);
      if (who.has(user)) return false;
      who.add(user);
      return true;
    },

    /** A message's reactions as Slack lists them: name, the users, their count. */
    reactionsOn: (channel: string, ts: string) =>
      [...(reactions.get(`${channel}:${ts}`) ?? new Map<string, Set<string>>())].map(
        ([name, who]) => ({ name, users: [...who], count: who.size }),
      ),

    replies: (channel: string, ts: string) =>
      messages.filter((m) => m.channel === channel && m.threadTs === ts && m.ts !== ts),
  };
}

export type Workspace = ReturnType<typeof createWorkspace>;
