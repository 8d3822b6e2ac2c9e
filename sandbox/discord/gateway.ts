import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawData } from 'ws';
import { WebSocket, WebSocketServer } from 'ws';
import { guildCreatePayload, readyPayload } from './gateway-payloads.js';
import type { Session } from './gateway-protocol.js';
import { decodePayload, emptyStats } from './gateway-protocol.js';
import {
  ALL_INTENTS,
  BACKLOG,
  CLOSE,
  GATEWAY_PATH,
  INTENT_OF,
  MESSAGE_CONTENT,
  OP,
  PRIVILEGED,
  RESUME_PATH,
} from './gateway-protocol.js';
import type { GuildState } from './store.js';

/**
 * Discord's gateway (v10, JSON encoding, no compression): HELLO, IDENTIFY → READY and
 * GUILD_CREATE, HEARTBEAT → HEARTBEAT_ACK, DISPATCH with increasing `s`, RESUME → the missed
 * dispatches then RESUMED, INVALID_SESSION for a session it does not know. A session outlives
 * its socket: dispatches for a disconnected session are kept until it resumes.
 */

export interface GatewayOptions {
  state: GuildState;
  botToken: string;
  heartbeatIntervalMs: number;
  /** How long a disconnected session can still be resumed. */
  resumeWindowMs: number;
  /** Privileged intents the application has switched on (all of them by default). */
  privilegedIntents?: number;
}

export function createDiscordGateway(options: GatewayOptions) {
  const { state } = options;
  const sessions = new Map<string, Session>();
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const stats = emptyStats();

  const send = (socket: WebSocket, payload: unknown) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
  };

  const wants = (session: Session, t: string) => {
    const intent = INTENT_OF[t];
    return intent === undefined || (session.intents & intent) !== 0;
  };

  /** Without MESSAGE_CONTENT, message bodies arrive empty (Discord's rule for bots). */
  function redact(session: Session, t: string, d: unknown): unknown {
    if (t !== 'MESSAGE_CREATE' && t !== 'MESSAGE_UPDATE') return d;
    if (session.intents & MESSAGE_CONTENT) return d;
    return { ...(d as object), content: '', embeds: [], attachments: [], components: [] };
  }

  /** Appends one dispatch to a session's backlog and sends it when the socket is up. */
  function dispatchTo(session: Session, t: string, d: unknown): number {
    const payload = { op: OP.dispatch, s: ++session.seq, t, d: redact(session, t, d) };
    session.backlog.push({ s: payload.s, t, d: payload.d });
    if (session.backlog.length > BACKLOG) session.backlog.shift();
    if (session.socket) send(session.socket, payload);
    return payload.s;
  }

  function resumable(session: Session): boolean {
    if (session.socket) return true;
    return (
      session.disconnectedAt !== undefined &&
      Date.now() - session.disconnectedAt < options.resumeWindowMs
    );
  }

  function identify(
    socket: WebSocket,
    host: string,
    d: Record<string, unknown>,
  ): Session | undefined {
    if (d.token !== options.botToken) {
      socket.close(CLOSE.authenticationFailed, 'Authentication failed.');
      return undefined;
    }
    const intents = d.intents;
    if (typeof intents !== 'number' || intents < 0 || intents > ALL_INTENTS) {
      socket.close(CLOSE.invalidIntents, 'Invalid intent(s).');
      return undefined;
    }
    const allowed = options.privilegedIntents ?? PRIVILEGED;
    if ((intents & PRIVILEGED & ~allowed) !== 0) {
      socket.close(CLOSE.disallowedIntents, 'Disallowed intent(s).');
      return undefined;
    }
    const shard = Array.isArray(d.shard) ? (d.shard as [number, number]) : [0, 1];
    const session: Session = {
      id: randomBytes(16).toString('hex'),
      intents,
      shard: [shard[0] ?? 0, shard[1] ?? 1],
      seq: 0,
      backlog: [],
      socket,
      disconnectedAt: undefined,
    };
    sessions.set(session.id, session);
    stats.identifies++;
    dispatchTo(session, 'READY', readyPayload(state, session, `ws://${host}${RESUME_PATH}`));
    dispatchTo(session, 'GUILD_CREATE', guildCreatePayload(state));
    return session;
  }

  function resume(socket: WebSocket, d: Record<string, unknown>): Session | undefined {
    const session = typeof d.session_id === 'string' ? sessions.get(d.session_id) : undefined;
    const seq = typeof d.seq === 'number' ? d.seq : -1;
    const oldest = session?.backlog[0]?.s ?? (session ? session.seq + 1 : 0);
    // Unknown or expired session, a wrong token, or a sequence the backlog no longer reaches.
    if (
      !session ||
      d.token !== options.botToken ||
      !resumable(session) ||
      seq > session.seq ||
      seq + 1 < oldest
    ) {
      stats.invalidSessions++;
      if (session) sessions.delete(session.id);
      send(socket, { op: OP.invalidSession, d: false, s: null, t: null });
      return undefined;
    }
    if (session.socket && session.socket !== socket) session.socket.terminate();
    session.socket = socket;
    session.disconnectedAt = undefined;
    stats.resumes++;
    for (const missed of session.backlog.filter((entry) => entry.s > seq))
      send(socket, { op: OP.dispatch, s: missed.s, t: missed.t, d: missed.d });
    dispatchTo(session, 'RESUMED', null);
    return session;
  }

  function onConnection(socket: WebSocket, request: IncomingMessage) {
    const url = new URL(request.url ?? '/', 'ws://sandbox');
    const host = request.headers.host ?? '127.0.0.1';
    stats.connections++;
    stats.paths.push(url.pathname);
    sockets.add(socket);
    if (url.searchParams.get('v') !== '10') {
      socket.close(CLOSE.invalidApiVersion, 'Invalid API version.');
      return;
    }
    if (
      (url.searchParams.get('encoding') ?? 'json') !== 'json' ||
      url.searchParams.has('compress')
    ) {
      // The emulator speaks JSON only, as discord.js does without erlpack and zlib-sync.
      socket.close(CLOSE.decodeError, 'The sandbox gateway supports encoding=json only.');
      return;
    }
    let session: Session | undefined;
    send(socket, {
      op: OP.hello,
      d: { heartbeat_interval: options.heartbeatIntervalMs },
      s: null,
      t: null,
    });

    socket.on('message', (data: RawData) => {
      const payload = decodePayload(data);
      if (!payload) {
        socket.close(CLOSE.decodeError, 'Error while decoding payload.');
        return;
      }
      const { d } = payload;
      switch (payload.op) {
        case OP.heartbeat:
          stats.heartbeats++;
          send(socket, { op: OP.heartbeatAck, d: null, s: null, t: null });
          return;
        case OP.identify:
          if (session) return socket.close(CLOSE.alreadyAuthenticated, 'Already authenticated.');
          session = identify(socket, host, d);
          return;
        case OP.resume:
          if (session) return socket.close(CLOSE.alreadyAuthenticated, 'Already authenticated.');
          session = resume(socket, d);
          return;
        case 3: // presence update
        case 4: // voice state update
        case 8: // request guild members
          if (!session) socket.close(CLOSE.notAuthenticated, 'Not authenticated.');
          return;
        default:
          socket.close(CLOSE.unknownOpcode, 'Unknown opcode.');
      }
    });
    socket.on('close', (code: number) => {
      sockets.delete(socket);
      if (!session || session.socket !== socket) return;
      session.socket = undefined;
      session.disconnectedAt = Date.now();
      // A client that closes with 1000 or 1001 ends its session: it cannot be resumed.
      if (code === 1000 || code === 1001) sessions.delete(session.id);
    });
    socket.on('error', () => socket.terminate());
  }

  wss.on('connection', onConnection);

  return {
    /** Takes the gateway's websocket upgrades on the sandbox's HTTP server. */
    attach(server: Server) {
      server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        const path = new URL(request.url ?? '/', 'ws://sandbox').pathname;
        if (path !== GATEWAY_PATH && path !== RESUME_PATH) {
          // Another emulator may own this upgrade; with nobody else listening, refuse it.
          if (server.listenerCount('upgrade') === 1) socket.destroy();
          return;
        }
        wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
      });
    },

    /** Sends a dispatch to every live or resumable session that asked for its intent. */
    dispatch(t: string, d: unknown) {
      const delivered: { session: string; s: number; connected: boolean }[] = [];
      for (const session of sessions.values()) {
        if (!resumable(session) || !wants(session, t)) continue;
        delivered.push({
          session: session.id,
          s: dispatchTo(session, t, d),
          connected: Boolean(session.socket),
        });
      }
      return delivered;
    },

    /**
     * Drops every connection abruptly: `terminate` kills the TCP socket (the client sees 1006),
     * otherwise it is closed with `code` (default 4000, unknown error). Sessions stay resumable
     * unless `forget` is set, in which case a RESUME gets INVALID_SESSION.
     */
    kill(options: { code?: number; terminate?: boolean; forget?: boolean } = {}) {
      let killed = 0;
      for (const session of sessions.values()) {
        const socket = session.socket;
        if (!socket) continue;
        killed++;
        session.socket = undefined;
        session.disconnectedAt = Date.now();
        if (options.terminate) socket.terminate();
        else socket.close(options.code ?? CLOSE.unknownError, 'sandbox: connection killed');
      }
      if (options.forget) sessions.clear();
      return killed;
    },

    inspect() {
      return {
        stats: { ...stats, paths: [...stats.paths] },
        sessions: [...sessions.values()].map((session) => ({
          id: session.id,
          seq: session.seq,
          connected: Boolean(session.socket),
          intents: session.intents,
          resumable: resumable(session),
        })),
      };
    },

    resetStats() {
      Object.assign(stats, emptyStats());
    },

    close() {
      for (const socket of sockets) socket.terminate();
      sockets.clear();
      sessions.clear();
      wss.close();
    },
  };
}

export type DiscordGatewayEmulator = ReturnType<typeof createDiscordGateway>;
