import { Hono } from 'hono';
import type { Logger } from '../../engine/log.ts';
import type { RequestInfo } from '../types.ts';
import { errorResponse, fromHttpError, HttpError } from './respond.ts';

/** Bindings every handler sees: what the node server knows about the connection. */
export type DashboardEnv = { Bindings: RequestInfo };
export type DashboardApp = Hono<DashboardEnv>;

/** The hono app with the dashboard's JSON error shape for unknown routes and thrown errors. */
export function createDashboardApp(log: Logger): DashboardApp {
  const app = new Hono<DashboardEnv>();
  app.notFound((c) => errorResponse(404, 'not_found', `No route for ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof HttpError) return fromHttpError(error);
    // Internal details stay in the server log; the page gets a code.
    log.error(`${c.req.method} ${c.req.path} failed`, { error });
    return errorResponse(500, 'internal', 'Internal error');
  });
  return app;
}

/**
 * Answers 405 for a known path asked with another method. Call once, after every route is
 * registered: hono runs matching handlers in registration order, so these only catch leftovers.
 */
export function refuseOtherMethods(app: DashboardApp): void {
  const paths = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => r.path));
  for (const path of paths) {
    app.all(path, (c) => errorResponse(405, 'method_not_allowed', `${c.req.method} is not allowed here`));
  }
}
