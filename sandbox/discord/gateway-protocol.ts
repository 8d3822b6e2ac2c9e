import type { RawData, WebSocket } from 'ws';

/** The gateway's opcodes, close codes, intents and session record (Discord's gateway docs). */

export const GATEWAY_PATH = '/discord/gateway';
/** READY's resume_gateway_url: a different URL, as Discord's is, so resuming there is visible. */
export const RESUME_PATH = '/discord/gateway/resume';

export const OP = {
  dispatch: 0,
  heartbeat: 1,
  identify: 2,
  resume: 6,
  reconnect: 7,
  invalidSession: 9,
  hello: 10,
  heartbeatAck: 11,
} as const;

export const CLOSE = {
  unknownError: 4000,
  unknownOpcode: 4001,
  decodeError: 4002,
  notAuthenticated: 4003,
  authenticationFailed: 4004,
  alreadyAuthenticated: 4005,
  invalidApiVersion: 4012,
  invalidIntents: 4013,
  disallowedIntents: 4014,
} as const;

/** The intent a dispatch needs (GUILDS 1<<0, GUILD_MEMBERS 1<<1, ...); absent: always sent. */
export const INTENT_OF: Record<string, number> = {
  GUILD_CREATE: 1 << 0,
  CHANNEL_CREATE: 1 << 0,
  THREAD_CREATE: 1 << 0,
  THREAD_DELETE: 1 << 0,
  GUILD_MEMBER_ADD: 1 << 1,
  GUILD_MEMBER_UPDATE: 1 << 1,
  GUILD_MEMBER_REMOVE: 1 << 1,
  MESSAGE_CREATE: 1 << 9,
  MESSAGE_UPDATE: 1 << 9,
  MESSAGE_DELETE: 1 << 9,
  MESSAGE_REACTION_ADD: 1 << 10,
  MESSAGE_REACTION_REMOVE: 1 << 10,
};
export const MESSAGE_CONTENT = 1 << 15;
export const PRIVILEGED = (1 << 1) | (1 << 8) | MESSAGE_CONTENT;
export const ALL_INTENTS = (1 << 26) - 1;

/** How many dispatches a session keeps for RESUME (Discord keeps a bounded backlog too). */
export const BACKLOG = 1000;

export interface Dispatch {
  s: number;
  t: string;
  d: unknown;
}

export interface Session {
  id: string;
  intents: number;
  shard: [number, number];
  seq: number;
  backlog: Dispatch[];
  socket: WebSocket | undefined;
  disconnectedAt: number | undefined;
}

export interface GatewayStats {
  connections: number;
  identifies: number;
  resumes: number;
  invalidSessions: number;
  heartbeats: number;
  /** Paths the client connected to, in order (initial URL vs resume URL). */
  paths: string[];
}

export const emptyStats = (): GatewayStats => ({
  connections: 0,
  identifies: 0,
  resumes: 0,
  invalidSessions: 0,
  heartbeats: 0,
  paths: [],
});

/** A client's frame as `{ op, d }` (d an object, {} when absent), or undefined if unreadable. */
export function decodePayload(
  data: RawData,
): { op: unknown; d: Record<string, unknown> } | undefined {
  try {
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    const payload = JSON.parse(bytes.toString('utf8')) as { op?: unknown; d?: unknown };
    const d = typeof payload.d === 'object' && payload.d !== null ? payload.d : {};
    return { op: payload.op, d: d as Record<string, unknown> };
  } catch {
    return undefined;
  }
}
