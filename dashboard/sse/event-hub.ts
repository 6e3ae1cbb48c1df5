import { randomBytes } from 'node:crypto';
import type { ArenaEvent, EventBus, EventOf } from '../../engine/events.ts';
import { redact } from '../../engine/log.ts';
import { withSecurityHeaders } from '../http/respond.ts';
import { Ring } from './ring.ts';

/** Text streamed so far for a turn that is not committed yet. */
export interface PartialTurn {
  debateId: string;
  turnIndex: number;
  personaId: string;
  text: string;
}

interface Stored {
  seq: number;
  event: ArenaEvent;
  frame: string;
}

interface Client {
  send(frame: string): void;
  close(): void;
}

export interface EventHubOptions {
  /** The bus, or anything that hands its events on (the log follower). */
  bus: Pick<EventBus, 'subscribe'>;
  replayEvents: number;
  heartbeatMs: number;
  statsMs: number;
  maxStreamMs: number;
  /** Deltas of one turn are merged for this long before they go out (fewer frames, same text). */
  coalesceMs?: number;
  /** What the `system` frame carries (MEM, CPU, status). */
  stats: () => unknown;
}

// A client this many frames behind is dropped; it reconnects and replays from its last id.
const MAX_QUEUED_FRAMES = 2000;

/**
 * Fans bus events out to SSE clients. Every event except streaming deltas gets an id and a place in
 * a bounded replay buffer, so a client reconnecting with Last-Event-ID receives exactly what it missed.
 */
export function createEventHub(opts: EventHubOptions) {
  const encoder = new TextEncoder();
  // Ids carry the hub's boot epoch: an id from before a restart is recognised and answered with resync.
  const epoch = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const ring = new Ring<Stored>(opts.replayEvents);
  const clients = new Set<Client>();
  const partials = new Map<string, PartialTurn>();
  const pendingDeltas = new Map<string, EventOf<'message.delta'>>();
  let seq = 0;
  let flushTimer: NodeJS.Timeout | null = null;

  const broadcast = (frame: string) => {
    for (const c of [...clients]) c.send(frame);
  };

  const flushDeltas = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    for (const event of pendingDeltas.values()) broadcast(frameOf(null, 'delta', event));
    pendingDeltas.clear();
  };

  const onEvent = (raw: ArenaEvent) => {
    const event = raw.type === 'log' ? { ...raw, message: redact(raw.message) } : raw;
    if (event.type === 'message.delta') {
      const key = `${event.debateId}:${event.turnIndex}`;
      const p = partials.get(key);
      if (p) p.text += event.delta;
      else
        partials.set(key, {
          debateId: event.debateId,
          turnIndex: event.turnIndex,
          personaId: event.personaId,
          text: event.delta,
        });
      const pending = pendingDeltas.get(key);
      if (pending) pending.delta += event.delta;
      else pendingDeltas.set(key, { ...event });
      if (!flushTimer) flushTimer = setTimeout(flushDeltas, opts.coalesceMs ?? 60);
      return;
    }
    // Order is kept: deltas waiting to go out leave before any later event.
    flushDeltas();
    trackPartials(event);
    seq++;
    const stored: Stored = { seq, event, frame: frameOf(`${epoch}-${seq}`, null, event) };
    ring.push(stored);
    broadcast(stored.frame);
  };

  const trackPartials = (event: ArenaEvent) => {
    if (event.type === 'message.created') {
      partials.delete(`${event.debateId}:${event.message.turnIndex}`);
    } else if (event.type === 'debate.completed' || event.type === 'debate.paused') {
      for (const [key, p] of partials) if (p.debateId === event.debateId) partials.delete(key);
    } else if (event.type === 'turn.started') {
      // A new turn means any older unfinished text of that debate was abandoned (e.g. a retry).
      for (const [key, p] of partials) {
        if (p.debateId === event.debateId && p.turnIndex !== event.turnIndex) partials.delete(key);
      }
    }
  };

  const unsubscribe = opts.bus.subscribe(onEvent);
  const heartbeat = setInterval(() => broadcast(': ping\n\n'), opts.heartbeatMs);
  const statsTimer = setInterval(() => {
    if (clients.size) broadcast(frameOf(null, 'system', opts.stats()));
  }, opts.statsMs);
  heartbeat.unref();
  statsTimer.unref();

  /** The replay for a reconnecting client, or null when its id cannot be honoured (resync). */
  const replayAfter = (lastId: string | null): Stored[] | null => {
    if (lastId === null) return [];
    const m = /^([a-z0-9]+)-(\d+)$/.exec(lastId.trim());
    if (!m || m[1] !== epoch) return null;
    const last = Number(m[2]);
    if (last > seq) return null;
    const oldest = ring.first()?.seq ?? seq + 1;
    // Events between the client's id and the oldest kept one are gone: replay cannot be complete.
    if (last < oldest - 1) return null;
    return ring.toArray().filter((s) => s.seq > last);
  };

  return {
    /** Id of the newest event; a snapshot taken after reading this is at least this fresh. */
    currentId(): string {
      return `${epoch}-${seq}`;
    },
    clients(): number {
      return clients.size;
    },
    /** Newest non-delta events, oldest first (the OUTPUT panel). */
    recent(limit: number): ArenaEvent[] {
      return ring.last(limit).map((s) => s.event);
    },
    partials(): PartialTurn[] {
      return [...partials.values()].map((p) => ({ ...p }));
    },
    /** An SSE response that replays what `lastEventId` missed and then follows the bus. */
    stream(lastEventId: string | null, signal?: AbortSignal): Response {
      let client: Client | null = null;
      let timer: NodeJS.Timeout | null = null;
      const cleanup = () => {
        if (client) clients.delete(client);
        if (timer) clearTimeout(timer);
        client = null;
      };
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          let open = true;
          const close = () => {
            if (!open) return;
            open = false;
            cleanup();
            try {
              controller.close();
            } catch {
              // already closed by the reader
            }
          };
          client = {
            send(frame) {
              if (!open) return;
              if ((controller.desiredSize ?? 0) < -MAX_QUEUED_FRAMES) return close();
              controller.enqueue(encoder.encode(frame));
            },
            close,
          };
          // Replay and registration happen in one synchronous step: no event can fall between them.
          // Waiting deltas go out first, so the partial text below does not include them twice.
          flushDeltas();
          controller.enqueue(encoder.encode('retry: 1000\n: connected\n\n'));
          const replay = replayAfter(lastEventId);
          if (replay === null)
            client.send(frameOf(`${epoch}-${seq}`, 'resync', { eventId: `${epoch}-${seq}` }));
          else for (const s of replay) client.send(s.frame);
          for (const p of partials.values()) client.send(frameOf(null, 'partial', p));
          clients.add(client);
          if (opts.maxStreamMs > 0) timer = setTimeout(close, opts.maxStreamMs);
          signal?.addEventListener('abort', close, { once: true });
        },
        cancel() {
          cleanup();
        },
      });
      return new Response(body, {
        status: 200,
        headers: withSecurityHeaders({
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          // Reverse proxies (nginx) must not buffer the stream.
          'x-accel-buffering': 'no',
        }),
      });
    },
    close(): void {
      unsubscribe();
      clearInterval(heartbeat);
      clearInterval(statsTimer);
      if (flushTimer) clearTimeout(flushTimer);
      for (const c of [...clients]) c.close();
    },
  };
}

export type EventHub = ReturnType<typeof createEventHub>;

function frameOf(id: string | null, name: string | null, data: unknown): string {
  let frame = '';
  if (id) frame += `id: ${id}\n`;
  if (name) frame += `event: ${name}\n`;
  // JSON.stringify never emits raw newlines, so one data line is always enough.
  return `${frame}data: ${JSON.stringify(data)}\n\n`;
}
