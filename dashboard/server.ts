import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createContext } from './context.ts';
import { toNodeListener } from './http/node-adapter.ts';
import { errorResponse, fromHttpError, HttpError } from './http/respond.ts';
import { createRouter } from './http/router.ts';
import { createMetrics } from './metrics.ts';
import { registerActionRoutes } from './routes/actions.ts';
import { registerReadRoutes } from './routes/read.ts';
import { registerStaticRoutes } from './routes/static.ts';
import { createEventHub } from './sse/event-hub.ts';
import { createSystemStats } from './system-stats.ts';
import type { Dashboard, DashboardProps, RequestInfo } from './types.ts';

export type { ComponentStatus, Dashboard, DashboardConfig, DashboardProps } from './types.ts';

/** The dashboard: JSON API, SSE live stream, actions, /metrics and the page, on node:http. */
export function createDashboard(props: DashboardProps): Dashboard {
  const { config } = props;
  const log = props.log.child('dashboard');
  const stats = createSystemStats();
  let ctxRef: ReturnType<typeof createContext> | null = null;
  const hub = createEventHub({
    bus: props.bus,
    replayEvents: config.replayEvents ?? 5000,
    heartbeatMs: config.heartbeatMs ?? 15_000,
    statsMs: config.statsMs ?? 5000,
    maxStreamMs: config.maxStreamMs ?? 0,
    stats: () => {
      const components = ctxRef?.components() ?? [];
      const degraded = components.some((c) => c.status === 'error');
      return { ...stats.sample(), status: degraded ? 'degraded' : 'online', components };
    },
  });
  const metrics = createMetrics(props.bus, () => props.clock.now().getTime());
  const ctx = createContext(props, { hub, metrics, stats });
  ctxRef = ctx;

  const router = createRouter();
  registerReadRoutes(router, ctx);
  registerActionRoutes(router, ctx);
  registerStaticRoutes(router, ctx);

  const handle = async (request: Request, info: RequestInfo = {}): Promise<Response> => {
    const url = new URL(request.url);
    const found = router.match(request.method, url.pathname);
    if (found === 'not_found') return errorResponse(404, 'not_found', `No route for ${url.pathname}`);
    if (found === 'method')
      return errorResponse(405, 'method_not_allowed', `${request.method} is not allowed here`);
    try {
      return await found.handler({ request, url, params: found.params, info });
    } catch (error) {
      if (error instanceof HttpError) return fromHttpError(error);
      // Internal details stay in the server log; the page gets a code.
      log.error(`${request.method} ${url.pathname} failed`, { error });
      return errorResponse(500, 'internal', 'Internal error');
    }
  };

  let server: Server | null = null;
  let baseUrl = `http://${config.host}:${config.port}`;

  return {
    handle,
    sseClients: () => hub.clients(),
    async listen() {
      server = createServer(toNodeListener(handle, () => baseUrl));
      // Long-lived SSE responses must not be cut by node's default request timeout.
      server.requestTimeout = 0;
      server.headersTimeout = 30_000;
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(config.port, config.host, () => {
          server!.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      baseUrl = `http://${host}:${address.port}`;
      log.info(`dashboard listening on ${baseUrl}`);
      return { url: baseUrl, port: address.port };
    },
    async close() {
      hub.close();
      metrics.close();
      if (!server) return;
      const s = server;
      server = null;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        // Open event streams would keep close() waiting forever.
        s.closeAllConnections();
      });
    },
  };
}
