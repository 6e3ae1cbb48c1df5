import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createContext } from './context.ts';
import { createDashboardApp, refuseOtherMethods } from './http/app.ts';
import { limitBody } from './http/body.ts';
import { configuredHosts, hostGuard, readGuard, streamCap } from './http/guard.ts';
import { createMetrics } from './metrics.ts';
import { type FeedHealthView, feedHealthViews } from './read-model.ts';
import { registerActionRoutes } from './routes/actions.ts';
import { registerLogRoutes } from './routes/logs.ts';
import { registerReadRoutes } from './routes/read.ts';
import { registerStaticRoutes } from './routes/static.ts';
import { createEventHub } from './sse/event-hub.ts';
import { createLogFollower } from './sse/log-follower.ts';
import { createSystemStats } from './system-stats.ts';
import type { Dashboard, DashboardProps, RequestInfo } from './types.ts';

export type { ComponentStatus, Dashboard, DashboardConfig, DashboardProps } from './types.ts';

/** The dashboard: JSON API, SSE live stream, actions, /metrics and the page, on hono. */
export function createDashboard(props: DashboardProps): Dashboard {
  const { config } = props;
  const log = props.log.child('dashboard');
  const stats = createSystemStats();
  let ctxRef: ReturnType<typeof createContext> | null = null;
  // Viewers follow the committed log, not the bus alone: a message whose event was lost still shows.
  const follower = createLogFollower({
    bus: props.bus,
    db: props.db,
    arena: props.arena,
    clock: props.clock,
    log,
  });
  // Feed health rides on the `system` frame: read in the background while someone watches, so each
  // frame carries the newest copy read (one frame behind at most) without a query per frame.
  let feeds: FeedHealthView[] | null = null;
  let readingFeeds = false;
  const refreshFeeds = () => {
    if (readingFeeds) return;
    readingFeeds = true;
    feedHealthViews(props.db)
      .then((f) => {
        feeds = f;
      })
      .catch((error: unknown) => log.warn('reading feed health failed', { error }))
      .finally(() => {
        readingFeeds = false;
      });
  };
  const hub = createEventHub({
    bus: follower,
    replayEvents: config.replayEvents ?? 5000,
    heartbeatMs: config.heartbeatMs ?? 15_000,
    statsMs: config.statsMs ?? 5000,
    maxStreamMs: config.maxStreamMs ?? 0,
    stats: () => {
      const { degraded, components } = ctxRef?.healthNow() ?? { degraded: false, components: [] };
      refreshFeeds();
      return {
        ...stats.sample(),
        status: degraded ? 'degraded' : 'online',
        components,
        ...(feeds ? { feeds } : {}),
      };
    },
  });
  const metrics = createMetrics(props.bus, () => props.clock.now().getTime());
  const ctx = createContext(props, { hub, metrics, stats });
  ctxRef = ctx;

  const app = createDashboardApp(log);
  // Security middleware runs before every route (dashboard/http/guard.ts).
  const inboundPaths = new Set(Object.keys(props.inbound ?? {}));
  app.use(
    hostGuard({
      allowed: configuredHosts({
        host: config.host,
        publicUrl: config.publicUrl,
        extra: config.allowedHosts,
      }),
      exempt: (path) => inboundPaths.has(path),
    }),
  );
  if (config.requireTokenForReads) {
    if (!config.token) throw new Error('requireTokenForReads needs a token');
    app.use(
      readGuard({
        token: config.token,
        isRead: (path) => (path.startsWith('/api/') && path !== '/api/health') || path === '/metrics',
      }),
    );
  }
  app.use('/api/events', streamCap({ open: () => hub.clients(), max: config.maxStreams ?? 100 }));
  registerReadRoutes(app, ctx);
  registerLogRoutes(app, ctx);
  registerActionRoutes(app, ctx);
  // Chat platforms' webhooks (Slack's /slack/events) share the dashboard's port and public URL.
  for (const [path, inbound] of Object.entries(props.inbound ?? {})) {
    app.post(path, limitBody(inbound.maxBodyBytes ?? 1024 * 1024), (c) => inbound.handle(c.req.raw));
  }
  registerStaticRoutes(app, ctx);
  refuseOtherMethods(app);

  const handle = async (request: Request, info: RequestInfo = {}): Promise<Response> =>
    app.fetch(request, info);

  let server: Server | null = null;
  let baseUrl = `http://${config.host}:${config.port}`;

  return {
    handle,
    sseClients: () => hub.clients(),
    async listen() {
      const listener = getRequestListener((request, env) =>
        handle(request, { remoteAddress: env.incoming.socket.remoteAddress }),
      );
      server = createServer(listener);
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
      // The app prints where the dashboard is; this line is for debugging only.
      log.debug(`dashboard listening on ${baseUrl}`);
      return { url: baseUrl, port: address.port };
    },
    async close() {
      follower.close();
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
