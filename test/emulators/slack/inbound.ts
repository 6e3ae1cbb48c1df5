import { createHmac } from 'node:crypto';
import type { WebSocket } from 'ws';

export interface Delivered {
  status: number;
  /** What the app answered: the HTTP body, or the ack's payload on the socket. */
  body: unknown;
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

/** Socket Mode: one connection, envelopes out, acks (matched by envelope_id) back. */
export function createSocketSide(ackDeadlineMs: number) {
  let socket: WebSocket | null = null;
  const waiting = new Map<string, (payload: unknown) => void>();
  let seq = 0;
  const acks: Array<{ envelopeId: string; payload: unknown }> = [];
  return {
    acks,
    connected: () => socket !== null && socket.readyState === socket.OPEN,
    attach(ws: WebSocket, appId: string) {
      socket = ws;
      ws.on('message', (data) => {
        let msg: { envelope_id?: string; payload?: unknown };
        try {
          msg = JSON.parse(String(data)) as typeof msg;
        } catch {
          return;
        }
        if (!msg.envelope_id) return;
        acks.push({ envelopeId: msg.envelope_id, payload: msg.payload });
        waiting.get(msg.envelope_id)?.(msg.payload);
        waiting.delete(msg.envelope_id);
      });
      ws.on('close', () => {
        if (socket === ws) socket = null;
      });
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          debug_info: { host: 'emulator', approximate_connection_time: 3600 },
          connection_info: { app_id: appId },
        }),
      );
    },
    /** Sends an envelope and resolves with the ack (or status 0 when none came in time). */
    send(type: string, payload: unknown, extra: Record<string, unknown> = {}): Promise<Delivered> {
      if (!socket) return Promise.reject(new Error('no Socket Mode connection'));
      seq++;
      const envelopeId = `env-${seq}-${Date.now()}`;
      const answer = new Promise<Delivered>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(envelopeId);
          resolve({ status: 0, body: null });
        }, ackDeadlineMs);
        waiting.set(envelopeId, (p) => {
          clearTimeout(timer);
          resolve({ status: 200, body: p ?? null });
        });
      });
      socket.send(
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
    close() {
      socket?.close();
      socket = null;
    },
  };
}
