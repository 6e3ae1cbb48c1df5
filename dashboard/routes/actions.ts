import type { Context } from 'hono';
import type { ControlResult } from '../../engine/api.ts';
import { DebateInputError, DebateRefusedError } from '../../engine/debate/errors.ts';
import { authorizeAction } from '../auth.ts';
import type { DashboardContext } from '../context.ts';
import type { DashboardApp, DashboardEnv } from '../http/app.ts';
import { limitBody, readJson } from '../http/body.ts';
import { actionRateLimit } from '../http/guard.ts';
import { HttpError, json } from '../http/respond.ts';
import {
  addIdeaBody,
  debateIdParam,
  emptyBody,
  humanMessageBody,
  pauseBody,
  startDebateBody,
} from '../schemas.ts';

const INPUT_STATUS: Record<DebateInputError['code'], 400 | 404 | 409> = {
  invalid_input: 400,
  idea_not_found: 404,
  idea_busy: 409,
};

/** Actions: each one authorised first, then its body checked, then handed to the Arena facade. */
export function registerActionRoutes(app: DashboardApp, ctx: DashboardContext): void {
  const { arena, config, bus, clock } = ctx.props;
  const log = ctx.props.log.child('dashboard');
  const running = new Set<string>();
  const limiter = actionRateLimit({ perMinute: config.actionsPerMinute ?? 30, token: config.token });

  const action = (path: string, run: (c: Context<DashboardEnv>) => Promise<Response>) =>
    app.post(
      path,
      async (c, next) => {
        // Authorised before the body is even read.
        authorizeAction(c.req.raw, config);
        await next();
      },
      // Per token (or client address): counted only once the caller is authorised.
      limiter,
      limitBody(ctx.maxBodyBytes),
      (c) => run(c),
    );

  const debateId = (raw: string | undefined) => {
    const id = debateIdParam.safeParse(raw);
    if (!id.success) throw new HttpError(404, 'debate_not_found', 'No debate with this id');
    return id.data;
  };

  action('/api/debates', async (c) => {
    const body = await readJson(c.req, startDebateBody);
    const started = await arena
      .startDebate({
        ...body,
        origin: 'dashboard',
        startedBy: body.startedBy ?? 'dashboard',
      })
      .catch((error: unknown) => {
        // The engine's refusals are the caller's mistakes, with their own codes, never a 500.
        if (error instanceof DebateInputError)
          throw new HttpError(INPUT_STATUS[error.code], error.code, error.message);
        // Busy (with when to try again) or the model provider down (with what to do): 503, nothing
        // was created.
        if (error instanceof DebateRefusedError)
          throw new HttpError(
            503,
            error.code,
            error.message,
            undefined,
            error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(error.retryAfterSeconds) },
          );
        throw error;
      });
    return json(started, 201);
  });

  action('/api/debates/:id/pause', async (c) => {
    const id = debateId(c.req.param('id'));
    const body = await readJson(c.req, pauseBody);
    return control(await arena.pause(id, body.reason ?? 'user'));
  });

  action('/api/debates/:id/resume', async (c) => {
    const id = debateId(c.req.param('id'));
    await readJson(c.req, emptyBody);
    return control(await arena.resume(id));
  });

  action('/api/debates/:id/stop', async (c) => {
    const id = debateId(c.req.param('id'));
    await readJson(c.req, emptyBody);
    return control(await arena.stop(id));
  });

  action('/api/debates/:id/messages', async (c) => {
    const id = debateId(c.req.param('id'));
    const body = await readJson(c.req, humanMessageBody);
    const author = body.author ?? 'dashboard';
    const result = await arena.injectHuman(id, {
      author,
      authorId: `dashboard:${author}`,
      text: body.text,
      ...(body.replyToPersonaId ? { replyToPersonaId: body.replyToPersonaId } : {}),
    });
    if (!result.ok) return control(result);
    return json({ message: result.message, nextPersonaId: result.nextPersonaId }, 201);
  });

  action('/api/ideas', async (c) => {
    const body = await readJson(c.req, addIdeaBody);
    const by = body.by ?? 'dashboard';
    const result = await arena.addIdea({
      title: body.title,
      ...(body.summary ? { summary: body.summary } : {}),
      by: `dashboard:${by}`,
    });
    if (!result.ok) {
      if (result.reason === 'duplicate')
        throw new HttpError(409, 'duplicate_idea', `Too close to the existing idea "${result.similarTo}"`, {
          similarTo: result.similarTo,
        });
      throw new HttpError(400, 'invalid_body', `title: ${result.error}`);
    }
    // The OUTPUT panel shows it like any other action's outcome.
    await bus
      .publish({
        type: 'log',
        at: clock.now().toISOString(),
        level: 'info',
        source: 'dashboard',
        message: `idea added: "${result.idea.title.slice(0, 200)}" (${result.idea.id.slice(0, 8)})`,
      })
      .catch(() => {});
    return json({ id: result.idea.id, idea: result.idea }, 201);
  });

  action('/api/jobs/:name/run', async (c) => {
    const name = c.req.param('name') ?? '';
    await readJson(c.req, emptyBody);
    const job = Object.hasOwn(ctx.props.jobs ?? {}, name) ? ctx.props.jobs![name] : undefined;
    if (!job) throw new HttpError(404, 'unknown_job', `No job named "${name}"`);
    if (running.has(name)) throw new HttpError(409, 'job_running', `Job "${name}" is already running`);
    running.add(name);
    const say = (level: 'info' | 'error', message: string) =>
      bus
        .publish({ type: 'log', at: clock.now().toISOString(), level, source: `job:${name}`, message })
        .catch(() => {});
    void say('info', `started from the dashboard`);
    // The job can run for minutes: answer now, report the end on the bus (the OUTPUT panel).
    void (async () => {
      try {
        await job();
        await say('info', 'finished');
      } catch (error) {
        log.error(`job ${name} failed`, { error });
        await say('error', `failed: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        running.delete(name);
      }
    })();
    return json({ job: name, started: true }, 202);
  });
}

function control(result: ControlResult | { ok: false; reason: string }): Response {
  if (result.ok) return json({ ok: true });
  if (result.reason === 'not_found') throw new HttpError(404, 'debate_not_found', 'No debate with this id');
  const messages: Record<string, string> = {
    already_finished: 'The debate has already finished',
    not_paused: 'The debate is not paused',
    already_paused: 'The debate is already paused',
    budget: 'The budget does not allow this now',
  };
  throw new HttpError(409, result.reason, messages[result.reason] ?? result.reason);
}
