import type { Client, ClientConfig } from 'pg';

/** What the health probe last saw; read without touching the database. */
export interface DatabaseHealth {
  ok: boolean;
  /** When the probe last finished (or, embedded, now). */
  checkedAt: Date;
  latencyMs: number | null;
  /** Why the database is unreachable, when it is. */
  error: string | null;
  /** Since when `ok` has had its current value. */
  since: Date;
}

export interface HealthProbe {
  health(): DatabaseHealth;
  stop(): Promise<void>;
}

// A probe answers in milliseconds on a healthy server; one that takes longer counts as down.
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Probes Postgres with `select 1` on a connection of its own, outside the debates' pool, so health
 * answers at once even when every pooled connection is busy or the server is gone.
 */
export function startHealthProbe(props: { config: ClientConfig; intervalMs: number }): HealthProbe {
  const { intervalMs } = props;
  let state: DatabaseHealth = {
    ok: true,
    checkedAt: new Date(),
    latencyMs: null,
    error: null,
    since: new Date(),
  };
  let client: Client | null = null;
  let stopped = false;
  let running: Promise<void> | null = null;

  const record = (ok: boolean, error: string | null, latencyMs: number | null) => {
    const now = new Date();
    state = { ok, checkedAt: now, latencyMs, error, since: ok === state.ok ? state.since : now };
  };

  const drop = () => {
    const c = client;
    client = null;
    c?.end().catch(() => {});
  };

  async function probe(): Promise<void> {
    const started = performance.now();
    try {
      if (!client) {
        const { default: pg } = await import('pg');
        const c = new pg.Client({
          ...props.config,
          application_name: 'arena-health',
          connectionTimeoutMillis: PROBE_TIMEOUT_MS,
          query_timeout: PROBE_TIMEOUT_MS,
        });
        c.on('error', (error) => {
          if (client === c) drop();
          if (!stopped) record(false, error.message, null);
        });
        client = c;
        await c.connect();
      }
      await client.query('select 1');
      record(true, null, Math.round(performance.now() - started));
    } catch (error) {
      drop();
      record(false, error instanceof Error ? error.message : String(error), null);
    }
  }

  const tick = () => {
    if (stopped || running) return;
    running = probe().finally(() => {
      running = null;
    });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();

  return {
    health() {
      // A probe that hangs past its own timeouts says nothing good about the server either.
      const silentMs = Date.now() - state.checkedAt.getTime();
      if (state.ok && silentMs > intervalMs + 2 * PROBE_TIMEOUT_MS)
        return { ...state, ok: false, error: `no answer for ${Math.round(silentMs / 1000)} s` };
      return state;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}
