import { getDebateRow, transitionDebate } from '../../db/repositories/debates.ts';
import { setIdeaStatus } from '../../db/repositories/ideas.ts';
import { utcDay } from '../../db/repositories/usage.ts';
import type { DebateSessionRow } from '../../db/schema.ts';
import type { ControlResult } from '../api.ts';
import { budgetSnapshot } from '../budget/index.ts';
import { ERROR_RESUME_DELAYS_MS } from '../constants.ts';
import type { Engine } from './engine.ts';
import { debateMeta } from './meta.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string can be a debate id at all (anything else is simply not found). */
export function isDebateId(id: string): boolean {
  return UUID.test(id);
}

const FINISHED = ['completed', 'cancelled', 'failed'] as const;

async function refusal(
  engine: Engine,
  id: string,
  when: 'pause' | 'resume' | 'stop',
): Promise<ControlResult> {
  const row = await getDebateRow(engine.db, id);
  if (!row) return { ok: false, reason: 'not_found' };
  if ((FINISHED as readonly string[]).includes(row.status)) return { ok: false, reason: 'already_finished' };
  if (when === 'pause' && row.status === 'paused') return { ok: false, reason: 'already_paused' };
  return { ok: false, reason: 'not_paused' };
}

/** Pauses an active debate; the turn in flight still completes, then the runner lets go. */
export async function pauseDebate(engine: Engine, id: string, reason = 'user'): Promise<ControlResult> {
  if (!isDebateId(id)) return { ok: false, reason: 'not_found' };
  const now = engine.clock.now();
  const row = await transitionDebate(
    engine.db,
    id,
    ['active'],
    { status: 'paused', pause_reason: reason.slice(0, 50), updated_at: now },
    { kind: 'paused', reason },
  );
  if (!row) return refusal(engine, id, 'pause');
  await engine.emit({ type: 'debate.paused', debateId: id, reason: row.pause_reason ?? reason });
  await engine.note('info', 'debate paused', { debateId: id, reason });
  return { ok: true };
}

/**
 * Resumes a paused debate; one paused for budget resumes only when its window has room again. `by`
 * is who resumed it: a person, or the runner once a budget window reset or an error backoff passed.
 */
export async function resumeDebate(
  engine: Engine,
  id: string,
  by: 'user' | 'budget' | 'error' = 'user',
): Promise<ControlResult> {
  if (!isDebateId(id)) return { ok: false, reason: 'not_found' };
  const current = await getDebateRow(engine.db, id);
  if (
    current?.status === 'paused' &&
    current.pause_reason === 'budget' &&
    !(await hasHeadroom(engine, current))
  ) {
    return { ok: false, reason: 'budget' };
  }
  const now = engine.clock.now();
  const row = await transitionDebate(
    engine.db,
    id,
    ['paused'],
    { status: 'active', pause_reason: null, updated_at: now },
    { kind: 'resumed', reason: by },
  );
  if (!row) return refusal(engine, id, 'resume');
  await engine.emit({ type: 'debate.resumed', debateId: id });
  await engine.note('info', 'debate resumed', { debateId: id });
  return { ok: true };
}

/** Ends a debate for good; its idea becomes pending again so it can be debated later. */
export async function stopDebate(engine: Engine, id: string): Promise<ControlResult> {
  if (!isDebateId(id)) return { ok: false, reason: 'not_found' };
  const now = engine.clock.now();
  const row = await transitionDebate(
    engine.db,
    id,
    ['active', 'paused'],
    { status: 'cancelled', pause_reason: null, completed_at: now, updated_at: now },
    { kind: 'stopped', reason: 'user' },
  );
  if (!row) return refusal(engine, id, 'stop');
  if (row.outcome === null || row.outcome === 'needs_refinement') {
    await setIdeaStatus(engine.db, row.idea_id, 'pending', { now });
  }
  await engine.emit({
    type: 'debate.completed',
    debateId: id,
    status: 'cancelled',
    outcome: row.outcome,
    planId: null,
  });
  await engine.note('info', 'debate cancelled', { debateId: id });
  return { ok: true };
}

/** Room, in every window that can refuse this debate, for the call the budget refused. */
async function hasHeadroom(engine: Engine, row: DebateSessionRow): Promise<boolean> {
  const { dailyUsd, monthlyUsd } = engine.settings.budget;
  const b = await budgetSnapshot(engine.db, { now: engine.clock.now(), limits: { dailyUsd, monthlyUsd } });
  const meta = debateMeta(row);
  const need = meta.budgetNeedUsd ?? 0;
  const fits = (used: number, limit: number) => used + need <= limit;
  return (
    fits(b.day.spentUsd + b.day.reservedUsd, dailyUsd) &&
    fits(b.month.spentUsd + b.month.reservedUsd, monthlyUsd) &&
    (meta.budgetCapUsd === null || fits(Number(row.cost_usd), meta.budgetCapUsd))
  );
}

/** A budget pause lifts by itself when the window that refused has rolled over (a new UTC day or month). */
/**
 * Whether an error pause has waited out its backoff: ERROR_RESUME_DELAYS_MS by the number of error
 * pauses so far (the last delay repeats), counted from when it paused.
 */
export function errorBackoffOver(row: DebateSessionRow, now: Date): boolean {
  const meta = debateMeta(row);
  if (row.pause_reason !== 'error' || !meta.pausedAt) return false;
  const n = Math.max(1, meta.errorPauses ?? 1);
  const delay = ERROR_RESUME_DELAYS_MS[Math.min(n, ERROR_RESUME_DELAYS_MS.length) - 1]!;
  return now.getTime() - new Date(meta.pausedAt).getTime() >= delay;
}

export function budgetWindowReset(row: DebateSessionRow, now: Date): boolean {
  const meta = debateMeta(row);
  if (!meta.pausedAt) return false;
  const then = utcDay(new Date(meta.pausedAt));
  const today = utcDay(now);
  if (meta.budgetWindow === 'day') return then !== today;
  if (meta.budgetWindow === 'month') return then.slice(0, 7) !== today.slice(0, 7);
  return false;
}
