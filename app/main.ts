import { hostname } from 'node:os';
import { type ComponentStatus, createDashboard } from '../dashboard/server.ts';
import { retryWhileDatabaseDown } from '../db/outage.ts';
import { countOutbox } from '../db/repositories/outbox-stats.ts';
import { withCachedReads } from '../engine/cache/cached-arena.ts';
import { systemClock } from '../engine/clock.ts';
import type { Logger } from '../engine/log.ts';
import { createSystemLogSink, teeToSystemLogs } from '../engine/logs/system-log-sink.ts';
import pkg from '../package.json' with { type: 'json' };
import { renderAvatar } from '../personas/index.ts';
import type { Config } from './config.ts';
import { type ArenaContext, errorText, openArenaContext } from './context.ts';
import { RuntimeFailure } from './errors.ts';
import { createJobRuntime, type JobRuntime } from './jobs/runtime.ts';
import { chatPlatforms, slackHttpReceiver } from './platforms.ts';
import { processComponents } from './process-components.ts';
import { holdLeadership } from './roles/leader.ts';
import { planRole, type Role, type RolePlan } from './roles/role.ts';

export const CODENAME = 'Signal Storm';

export interface RunningArena {
  /** Null when this process's role serves no dashboard (`bot`, `worker`). */
  dashboardUrl: string | null;
  context: ArenaContext;
  close(): Promise<void>;
}

/** The composition root: migrates, then starts everything the configuration turns on. */
export async function startArena(props: { config: Config; log: Logger; role?: Role }): Promise<RunningArena> {
  const { config } = props;
  // Warnings and errors also go to system_logs, batched (the OUTPUT panel's View Full Logs reads them).
  const logSink = createSystemLogSink({ clock: systemClock, log: props.log.child('system-logs') });
  const log = teeToSystemLogs(props.log, logSink);
  // What this process runs (app/roles/role.ts): everything, or one part of a split deployment.
  const plan = planRole(props.role ?? 'all');
  // A server runs for days: a new embedded database is created in a child process (db/connect.ts).
  const ctx = await openArenaContext(config, log, { longRunning: true });
  logSink.attach(ctx.database.db);
  // Closed in reverse: the last log rows are written before the database closes.
  const closers: Array<() => Promise<unknown>> = [() => ctx.close(), () => logSink.close()];
  const closeAll = async () => {
    for (const fn of closers.reverse())
      await fn().catch((e) => log.warn('close failed', { error: errorText(e) }));
  };
  const setStatus = (c: ComponentStatus) => ctx.health.set(c);
  // A start-up step that meets the database away (restarting, cut) waits for it: the process never
  // exits on an outage, whenever it comes (#13 item 2).
  const whenDatabaseAnswers = <T>(what: string, fn: () => Promise<T>) =>
    retryWhileDatabaseDown(what, fn, { warn: (m) => log.warn(m) });
  try {
    log.info(
      `database: ${ctx.database.dialect === 'pglite' ? 'embedded PGlite' : 'Postgres'} at ${ctx.database.location}`,
    );
    log.info(
      `personas: ${ctx.personas.length}${config.PERSONAS_DIR ? ` (with ${config.PERSONAS_DIR})` : ''}`,
    );
    log.info(`llm: ${ctx.llmDescription}`);
    log.info(`event bus: ${ctx.busKind === 'redis' ? 'Redis' : 'in-process'}`);
    if (plan.role !== 'all') {
      log.info(`role: ${plan.role} (${describePlan(plan)})`);
      // Without Redis, processes see each other's work only by polling the database: slower, not wrong.
      if (ctx.busKind === 'memory')
        log.warn('role: no REDIS_URL, so other processes are noticed by polling only (set REDIS_URL)');
    }
    setStatus({
      id: 'database',
      name: 'Database',
      kind: 'service',
      status: 'running',
      detail: ctx.database.dialect,
    });
    setStatus({
      id: 'llm',
      name: 'LLM router',
      kind: 'service',
      status: 'running',
      detail: ctx.llmDescription,
    });
    setStatus({ id: 'bus', name: 'Event bus', kind: 'service', status: 'running', detail: ctx.busKind });
    if (ctx.cache.kind === 'redis')
      setStatus({ id: 'cache', name: 'Cache', kind: 'service', status: 'running', detail: 'Redis' });

    setStatus({
      id: 'engine',
      name: 'Debate engine',
      kind: 'service',
      status: plan.worker ? 'starting' : 'disabled',
      ...(plan.worker ? {} : { detail: `runs in the worker processes (role ${plan.role})` }),
    });

    const jobActions: Record<string, () => Promise<unknown>> = {};
    let jobs: JobRuntime | undefined;

    // Slack in HTTP mode shares the dashboard's port: one server, one public URL.
    const slackReceiver = slackHttpReceiver(config, log);
    // The job runtime serves the dashboard's `run <job>` too; only a worker schedules runs.
    if (plan.web || plan.worker) {
      // The daily debate asks for its thread in the database; a bot process opens it.
      jobs = createJobRuntime({ ctx, clock: systemClock });
      Object.assign(jobActions, jobs.actions);
      closers.push(() => jobs!.stop());
    }
    const dashboardUrl = plan.web ? await startDashboard() : null;

    async function startDashboard(): Promise<string> {
      const dashboard = createDashboard({
        ...(slackReceiver ? { inbound: { '/slack/events': slackReceiver } } : {}),
        arena: withCachedReads(ctx.arena, ctx.cache),
        cache: ctx.cache,
        bus: ctx.bus,
        db: ctx.database.db,
        personas: ctx.personas,
        renderAvatar: (p) => renderAvatar(p),
        config: {
          host: config.DASHBOARD_HOST,
          port: config.DASHBOARD_PORT,
          token: config.DASHBOARD_TOKEN,
          requireTokenForReads: config.DASHBOARD_REQUIRE_TOKEN_FOR_READS,
          allowedHosts: config.DASHBOARD_ALLOWED_HOSTS,
          maxStreams: config.DASHBOARD_MAX_STREAMS,
          actionsPerMinute: config.DASHBOARD_ACTIONS_PER_MINUTE,
          publicUrl: config.PUBLIC_URL,
          version: pkg.version,
          codename: CODENAME,
          dialect: ctx.database.dialect,
        },
        dbHealth: () => ctx.database.health(),
        components: () => processComponents(ctx).concat(jobs?.components() ?? []),
        jobs: jobActions,
        ...(jobs ? { jobStatus: () => jobs!.scheduler.status() } : {}),
        deliveries: () => countOutbox(ctx.database.db),
        router: () => ctx.router.snapshot(),
        runner: () => ctx.runner.load(),
        log,
        clock: systemClock,
      });
      const { url: dashboardUrl } = await dashboard.listen().catch((e: NodeJS.ErrnoException) => {
        throw e.code === 'EADDRINUSE'
          ? new RuntimeFailure(
              `DASHBOARD_PORT ${config.DASHBOARD_PORT} on ${config.DASHBOARD_HOST} is already in use; set DASHBOARD_PORT to a free port`,
            )
          : e;
      });
      closers.push(() => dashboard.close());
      log.info(`dashboard: ${dashboardUrl}`);
      return dashboardUrl;
    }

    // A debate belongs to the platform it started on; every configured platform runs side by side.
    // Embedded: the data-dir lock makes this the only process, so a restart takes its leases back at
    // once. Postgres: one name per process, so leases never mix.
    const owner = ctx.database.dialect === 'pglite' ? 'embedded' : `${hostname()}:${process.pid}`;
    for (const platform of chatPlatforms({ config, ctx, log, slackReceiver, owner })) {
      const { id, name } = platform;
      const skip = platformSkipped(plan, id, slackReceiver !== null);
      if (skip && !platform.off) {
        setStatus({ id, name, kind: 'service', status: 'disabled', detail: skip });
        continue;
      }
      if (platform.off) {
        setStatus({ id, name, kind: 'service', status: 'disabled', detail: platform.off });
        log.info(`${id}: off (${platform.off} to turn it on)`);
        continue;
      }
      setStatus({ id, name, kind: 'service', status: 'starting' });
      try {
        const running = await whenDatabaseAnswers(`${id}: start`, () => platform.start());
        closers.push(() => running.stop());
        setStatus({ id, name, kind: 'service', status: 'running', detail: running.detail });
        log.info(`${id}: ${running.detail}`);
        const gateway = running.gateway;
        if (gateway) {
          // One process per platform holds the gateway; any bot process delivers.
          const leadership = holdLeadership({
            db: ctx.database.db,
            platform: id,
            owner,
            log,
            async onElected() {
              await gateway.connect();
              setStatus({ id, name, kind: 'service', status: 'running', detail: 'gateway connected here' });
              log.info(`${id}: gateway connected (this process holds the lease)`);
            },
            async onDeposed() {
              await gateway.disconnect();
              setStatus({ id, name, kind: 'service', status: 'running', detail: running.detail });
            },
          });
          closers.push(() => leadership.stop());
        }
      } catch (error) {
        // The rest of the arena keeps running; the dashboard shows why the platform is down.
        setStatus({ id, name, kind: 'service', status: 'error', lastError: errorText(error) });
        log.error(`${id}: could not start (${errorText(error)})`);
      }
    }

    if (plan.worker && jobs) {
      // Viewers subscribe first, so the first turns already stream live into chat and the dashboard.
      await ctx.runner.start();
      setStatus({
        id: 'engine',
        name: 'Debate engine',
        kind: 'service',
        status: 'running',
        detail: 'runner started',
      });
      await whenDatabaseAnswers('jobs: start', () => jobs!.scheduler.start());
      log.info(
        jobs.settings.enabled
          ? `jobs: scheduled (${jobs.scheduler.names().join(', ')}); JOBS=off turns scheduling off`
          : 'jobs: scheduling off (JOBS=off); `arena jobs run <name>` and the dashboard still run them',
      );
    }
    await jobs?.refresh();
    if (plan.role !== 'all') log.info(`ready: role ${plan.role}`);

    return { dashboardUrl, context: ctx, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function describePlan(plan: RolePlan): string {
  const parts = [
    plan.web ? 'dashboard' : null,
    plan.bot ? 'chat gateways and delivery' : null,
    plan.worker ? 'debates and jobs' : null,
  ].filter(Boolean);
  return parts.join(', ');
}

/**
 * Why a configured platform does not run in this process, or null when it does. A bot process runs
 * every platform; a web process runs Slack in HTTP mode, whose events arrive at its /slack/events.
 */
function platformSkipped(plan: RolePlan, id: string, slackHttp: boolean): string | null {
  if (plan.bot) return null;
  if (plan.web && id === 'slack' && slackHttp) return null;
  return `runs in the bot processes (role ${plan.role})`;
}
