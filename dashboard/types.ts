import type { Kysely } from 'kysely';
import type { DialectName } from '../db/connect.ts';
import type { Database } from '../db/schema.ts';
import type { Arena } from '../engine/api.ts';
import type { Cache } from '../engine/cache/types.ts';
import type { Clock } from '../engine/clock.ts';
import type { RunnerLoad } from '../engine/debate/run/runner.ts';
import type { EventBus } from '../engine/events.ts';
import type { RouterSnapshot } from '../engine/llm/router/types.ts';
import type { Logger } from '../engine/log.ts';
import type { Persona } from '../personas/types.ts';

/** One part of the running app as the PROCESSES panel and `/api/health` show it. */
export interface ComponentStatus {
  /** Stable id, e.g. `engine`, `discord`, `slack`, `llm`, `job:signal-fetch`. */
  id: string;
  name: string;
  kind: 'service' | 'job';
  status: 'running' | 'idle' | 'starting' | 'stopped' | 'disabled' | 'error';
  /** One short line for people, e.g. `offline provider` or `3 guilds`. Redacted before output. */
  detail?: string | null;
  lastRunAt?: string | null;
  nextRunAt?: string | null;
  /** Last failure, redacted before output. */
  lastError?: string | null;
  /** When the current status began (for an error: the first failure of this outage), ISO time. */
  since?: string | null;
}

export interface DashboardConfig {
  /** Interface the server binds to; decides whether actions may run without a token. */
  host: string;
  port: number;
  /** `DASHBOARD_TOKEN`: required on every action when set. Never sent to a client. */
  token?: string | undefined;
  /** Reads (JSON API, event stream, /metrics) need the token too; requires `token`. */
  requireTokenForReads?: boolean;
  /** Host names besides loopback, IP literals, `host` and the public URL's (DNS rebinding). */
  allowedHosts?: readonly string[];
  /** Most event streams open at once (default 100). */
  maxStreams?: number;
  /** Actions a minute per token, or per client address without one (default 30). */
  actionsPerMinute?: number;
  publicUrl: string;
  version: string;
  codename: string;
  /** Database dialect shown by `/api/health`. */
  dialect: DialectName;
  /** Largest accepted request body in bytes (default 64 KiB). */
  maxBodyBytes?: number;
  /** SSE replay buffer length, in events (default 5000). */
  replayEvents?: number;
  /** Interval of SSE heartbeat comments (default 15 s). */
  heartbeatMs?: number;
  /** Interval of the MEM/CPU push to open pages (default 5 s). */
  statsMs?: number;
  /** Ends an SSE stream after this long so the browser reconnects with Last-Event-ID; 0 = never. */
  maxStreamMs?: number;
}

export interface DashboardProps {
  arena: Arena;
  /** Hot reads (engine/cache); the no-op cache when absent. */
  cache?: Cache;
  bus: EventBus;
  db: Kysely<Database>;
  config: DashboardConfig;
  /** The latest database probe, so health never queues a query behind the debates (db/health-probe.ts). */
  dbHealth?: () => { ok: boolean; error: string | null; latencyMs: number | null };
  /** The app's real components and jobs; called on every health/state request. */
  components: () => ComponentStatus[];
  /** Jobs the "run job now" action may start, by name. */
  jobs?: Record<string, () => Promise<unknown>>;
  /** Each job's schedule, last run and next run (`GET /api/jobs`, what `arena jobs list` prints). */
  jobStatus?: () => Promise<unknown[]>;
  /** The LLM router's queues and loaded models, for `/metrics`. */
  router?: () => RouterSnapshot;
  /** This process's debate runner: debates running, waiting for a slot, and its capacity, for `/metrics`. */
  runner?: () => RunnerLoad;
  /** Chat deliveries waiting and given up, for `/metrics`. */
  deliveries?: () => Promise<{ pending: number; failed: number }>;
  /** Persona catalog; defaults to `arena.personas()`. */
  personas?: readonly Persona[];
  /** PNG bytes of a persona's generated avatar (personas/index.ts `renderAvatar`). */
  renderAvatar?: (persona: Persona) => Uint8Array;
  /** Extra POST endpoints on the same port, by path (Slack's `/slack/events`). */
  inbound?: Record<string, InboundEndpoint>;
  log: Logger;
  clock: Clock;
}

/** A webhook endpoint served by another part of the app; it sees the raw request. */
export interface InboundEndpoint {
  handle(request: Request): Promise<Response>;
  /** Largest accepted body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
}

/** Network details the node adapter knows and an in-memory `handle()` call may pass. */
export interface RequestInfo {
  remoteAddress?: string | undefined;
}

export interface Dashboard {
  listen(): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
  /** Answers one request in memory (fetch-style); the node server calls this too. */
  handle(request: Request, info?: RequestInfo): Promise<Response>;
  /** Number of open SSE streams. */
  sseClients(): number;
}
