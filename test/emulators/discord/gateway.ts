import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { Intent } from './context.ts';
import type { Records } from './records.ts';
import { guildCreateJson, userJson } from './serialize.ts';
import type { World } from './world.ts';

/** Per-session view used to tailor a dispatch (e.g. hide content without the MessageContent intent). */
export interface SessionView {
  intents: number;
}

/** The gateway WebSocket: HELLO → IDENTIFY/RESUME → READY + GUILD_CREATE, heartbeats, dispatches. */
export interface Gateway {
  /** Sends an event to every session; `intent` filters sessions, `build` tailors the payload. */
  dispatch(
    event: string,
    data: unknown,
    opts?: { intent?: number; build?: (s: SessionView) => unknown },
  ): void;
  /** Open WebSocket connections that have identified (or resumed). */
  connections(): number;
  /** Identified sessions (connected or resumable). */
  sessions(): number;
  /** Closes every socket with `code`; sessions stay resumable unless `invalidate`. */
  disconnectAll(code: number, invalidate: boolean): void;
  close(): Promise<void>;
}

interface Session {
  id: string;
  intents: number;
  seq: number;
  buffer: { s: number; t: string; d: unknown }[];
  socket: WebSocket | null;
}

const BUFFER_LIMIT = 500;

export function createGateway(props: {
  server: Server;
  world: World;
  records: Records;
  token: string;
  heartbeatIntervalMs: number;
  gatewayUrl: () => string;
}): Gateway {
  const { world, records } = props;
  const wss = new WebSocketServer({ noServer: true });
  const sessions = new Map<string, Session>();
  const sockets = new Set<WebSocket>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/gateway')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, url));
  };
  props.server.on('upgrade', onUpgrade);

  const send = (ws: WebSocket, payload: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  };

  const deliver = (session: Session, t: string, d: unknown) => {
    session.seq += 1;
    const frame = { op: 0, t, s: session.seq, d };
    session.buffer.push({ s: session.seq, t, d });
    if (session.buffer.length > BUFFER_LIMIT) session.buffer.shift();
    if (session.socket) send(session.socket, frame);
  };

  const accept = (ws: WebSocket, url: URL) => {
    sockets.add(ws);
    let session: Session | null = null;
    const closeWith = (code: number, reason: string) => {
      records.violation({ kind: 'gateway', message: `closed ${code}: ${reason}` });
      ws.close(code, reason);
    };
    if (url.searchParams.get('v') !== '10') return closeWith(4012, 'Invalid API version');
    if (url.searchParams.get('encoding') !== 'json') return closeWith(4002, 'Only encoding=json is emulated');
    send(ws, { op: 10, d: { heartbeat_interval: props.heartbeatIntervalMs }, s: null, t: null });

    ws.on('message', (raw) => {
      let payload: { op?: number; d?: unknown };
      try {
        payload = JSON.parse(raw.toString());
      } catch {
        return closeWith(4002, 'Decode error');
      }
      const d = (payload.d ?? {}) as Record<string, unknown>;
      switch (payload.op) {
        case 1:
          return send(ws, { op: 11, d: null, s: null, t: null });
        case 2: {
          if (session) return closeWith(4005, 'Already authenticated');
          if (String(d.token ?? '').replace(/^Bot\s+/i, '') !== props.token) {
            records.violation({ kind: 'auth', message: 'IDENTIFY with a wrong token' });
            return ws.close(4004, 'Authentication failed');
          }
          if (typeof d.intents !== 'number') return closeWith(4013, 'Invalid intent(s)');
          session = {
            id: randomBytes(16).toString('hex'),
            intents: d.intents,
            seq: 0,
            buffer: [],
            socket: ws,
          };
          sessions.set(session.id, session);
          deliver(session, 'READY', readyPayload(session));
          if (session.intents & Intent.Guilds) deliver(session, 'GUILD_CREATE', guildCreateJson(world));
          records.changed();
          return;
        }
        case 6: {
          const found = sessions.get(String(d.session_id));
          const tokenOk = String(d.token ?? '').replace(/^Bot\s+/i, '') === props.token;
          if (!found || !tokenOk) return send(ws, { op: 9, d: false, s: null, t: null });
          found.socket?.close(4009, 'Session resumed elsewhere');
          found.socket = ws;
          session = found;
          const from = Number(d.seq ?? 0);
          for (const e of found.buffer) if (e.s > from) send(ws, { op: 0, t: e.t, s: e.s, d: e.d });
          deliver(found, 'RESUMED', null);
          records.changed();
          return;
        }
        case 3:
        case 4:
        case 8:
          if (!session) return closeWith(4003, 'Not authenticated');
          return;
        default:
          return closeWith(4001, `Unknown opcode ${payload.op}`);
      }
    });

    ws.on('close', (code) => {
      sockets.delete(ws);
      if (session && session.socket === ws) {
        session.socket = null;
        // A clean close by the client ends the session, as on Discord; other codes leave it resumable.
        if (code === 1000 || code === 1001) sessions.delete(session.id);
      }
      records.changed();
    });
  };

  const readyPayload = (session: Session) => ({
    v: 10,
    user: { ...userJson(world.botUser), verified: true, mfa_enabled: false, email: null },
    guilds: [{ id: world.guild.id, unavailable: true }],
    session_id: session.id,
    session_type: 'normal',
    resume_gateway_url: `${props.gatewayUrl()}/resume`,
    shard: [0, 1],
    application: { id: world.applicationId, flags: 1 << 18 },
    private_channels: [],
    relationships: [],
    presences: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: [],
    user_settings: {},
  });

  return {
    dispatch(event, data, opts = {}) {
      for (const s of sessions.values()) {
        if (opts.intent !== undefined && !(s.intents & opts.intent)) continue;
        deliver(s, event, opts.build ? opts.build({ intents: s.intents }) : data);
      }
    },
    // Sockets with a session (IDENTIFY or RESUME done): a socket before that receives no dispatch, so
    // an event sent then (a command, a message) reaches nobody, as on Discord.
    connections: () => [...sessions.values()].filter((s) => s.socket !== null).length,
    sessions: () => sessions.size,
    disconnectAll(code, invalidate) {
      for (const ws of sockets) ws.close(code, 'Emulator disconnect');
      if (invalidate) sessions.clear();
    },
    async close() {
      props.server.off('upgrade', onUpgrade);
      const closing = [...sockets].map(
        (ws) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => {
              ws.terminate();
              resolve();
            }, 500);
            ws.once('close', () => {
              clearTimeout(t);
              resolve();
            });
            ws.close(1001, 'Emulator shutting down');
          }),
      );
      await Promise.all(closing);
      sessions.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
