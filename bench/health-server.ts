import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHealthProbe } from '../db/health-probe.ts';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * What `/api/health` does in the app, in the benchmark's arena process: answer from the latest
 * `select 1` of a probe on its own connection (db/health-probe.ts), never from the debates' pool.
 * Requests from another process then time how long this process takes to answer while it runs
 * the debates: its event loop's lateness plus the HTTP work.
 */
export async function startHealthServer(databaseUrl: string): Promise<HealthServer> {
  const probe = startHealthProbe({ config: { connectionString: databaseUrl }, intervalMs: 2_000 });
  const server = createServer((req, res) => {
    if (req.url !== '/api/health') {
      res.writeHead(404).end();
      return;
    }
    const db = probe.health();
    const body = JSON.stringify({
      status: db.ok ? 'ok' : 'degraded',
      db: { ok: db.ok, latencyMs: db.latencyMs },
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await probe.stop();
    },
  };
}

/** Requests `/api/health` one after another (a new one every `everyMs` at most) until stopped; latencies in ms. */
export function pollHealth(
  port: number,
  everyMs = 50,
): { stop(): Promise<{ latencies: number[]; failures: number }> } {
  const latencies: number[] = [];
  let failures = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const began = performance.now();
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`, {
          signal: AbortSignal.timeout(30_000),
        });
        await res.text();
        if (res.ok) latencies.push(performance.now() - began);
        else failures++;
      } catch {
        if (!stopped) failures++;
      }
      const wait = everyMs - (performance.now() - began);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { latencies, failures };
    },
  };
}
