import { createHmac } from 'node:crypto';
import type { WebSocket } from 'ws';

export interface Delivered {
  status: number;
  /** What the app answered: the HTTP body, or the ack's payload on the socket. */
  body: unknown;
  /** Socket Mode: which of the app's connections the envelope went to (numbered from 1). */
  connection?: number;
}

/** `v0=` + hex HMAC-SHA256(secret, `v0:${timestamp}:${body}`), as Slack signs requests. */
export function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** POSTs a signed request to the app's Request URL, as Slack does in HTTP mode. */
export async function postSigned(
  url: string,
  secret: string,
  body: string,
  contentType: string,
  opts: { timestamp?: number; signature?: string } = {},
): Promise<Delivered> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': opts.signature ?? sign(secret, timestamp, body),
    },
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : '';
  } catch {
    // a plain-text answer
  }
  return { status: res.status, body: parsed };
}

/**
 * Socket Mode: an app may hold several connections (Slack allows up to 10, e.g. one per process);
 * each envelope goes to exactly one open connection (Slack picks one at random; the emulator takes
 * them in turn, so a test sees every connection used) and its ack (matched by envelope_id) comes
 * back on that connection.
 */
export function createSocketSide(ackDeadlineMs: number) {
  const sockets: Array<{ ws: WebSocket; id: number }> = [];
  let connectionIds = 0;
  let turn = 0;
  const waiting = new Map<string, (payload: unknown) => void>();
  let seq = 0;
  const acks: Array<{ envelopeId: string; payload: unknown; connection: number }> = [];
  const open = () => sockets.filter((s) => s.ws.readyState === s.ws.OPEN);
  return {
    acks,
    connected: () => open().length > 0,
    /** How many Socket Mode connections are open. */
    connections: () => open().length,
    attach(ws: WebSocket, appId: string) {
      const id = ++connectionIds;
      sockets.push({ ws, id });
      ws.on('message', (data) => {
        let msg: { envelope_id?: string; payload?: unknown };
        try {
          msg = JSON.parse(String(data)) as typeof msg;
        } catch {
          return;
        }
        if (!msg.envelope_id) return;
        acks.push({ envelopeId: msg.envelope_id, payload: msg.payload, connection: id });
        waiting.get(msg.envelope_id)?.(msg.payload);
        waiting.delete(msg.envelope_id);
      });
      ws.on('close', () => {
        const at = sockets.findIndex((s) => s.ws === ws);
        if (at >= 0) sockets.splice(at, 1);
      });
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: sockets.length,
          debug_info: { host: 'emulator', approximate_connection_time: 3600 },
          connection_info: { app_id: appId },
        }),
      );
    },
    /**
     * Sends an envelope over one open connection and resolves with the ack (status 0 when none came
     * in time) and the connection it went to.
     */
    send(type: string, payload: unknown, extra: Record<string, unknown> = {}): Promise<Delivered> {
      const live = open();
      if (live.length === 0) return Promise.reject(new Error('no Socket Mode connection'));
      const target = live[turn++ % live.length]!;
      seq++;
      const envelopeId = `env-${seq}-${Date.now()}`;
      const answer = new Promise<Delivered>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(envelopeId);
          resolve({ status: 0, body: null, connection: target.id });
        }, ackDeadlineMs);
        waiting.set(envelopeId, (p) => {
          clearTimeout(timer);
          resolve({ status: 200, body: p ?? null, connection: target.id });
        });
      });
      target.ws.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: type !== 'events_api',
          ...extra,
        }),
      );
      return answer;
    },
    /** Closes every connection. */
    close() {
      for (const s of sockets.splice(0)) s.ws.close();
    },
  };
}
