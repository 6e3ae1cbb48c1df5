import { z } from 'zod';
import { pageLogs } from '../../db/repositories/logs.ts';
import { redact } from '../../engine/log.ts';
import type { DashboardContext } from '../context.ts';
import type { DashboardApp } from '../http/app.ts';
import { readQuery } from '../http/body.ts';
import { json } from '../http/respond.ts';

export const logsQuery = z.object({
  level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional().default(100),
  /** Rows to skip, newest first (page n = offset n × limit). */
  offset: z.coerce.number().int().min(0).max(1_000_000).optional().default(0),
});

/** GET /api/logs: the stored system_logs (View Full Logs), newest first, a page at a time. */
export function registerLogRoutes(app: DashboardApp, ctx: DashboardContext): void {
  app.get('/api/logs', async (c) => {
    const q = readQuery(c.req, logsQuery);
    const { rows, total } = await pageLogs(ctx.props.db, {
      limit: q.limit,
      offset: q.offset,
      ...(q.level ? { level: q.level } : {}),
    });
    return json({
      logs: rows.map((r) => ({
        id: r.id,
        at: new Date(r.created_at).toISOString(),
        level: r.level,
        source: r.source,
        // Rows are redacted when written; older writers may not have been.
        message: redact(r.message),
        details: r.details ? JSON.parse(redact(JSON.stringify(r.details))) : null,
      })),
      total,
      offset: q.offset,
      limit: q.limit,
      hasMore: q.offset + rows.length < total,
    });
  });
}
