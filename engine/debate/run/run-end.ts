import { endLeasedRun } from '../../../db/repositories/debate-leases.ts';
import { getPlanByDebate } from '../../../db/repositories/plans.ts';
import type { DebateOutcome } from '../../../db/schema.ts';
import type { Engine } from '../engine.ts';
import type { Refusal } from './llm-call.ts';
import type { DebateRun } from './run-state.ts';

function lease(engine: Engine, run: DebateRun) {
  return { id: run.id, owner: engine.instanceId, now: engine.clock.now(), ttlMs: engine.settings.leaseMs };
}

/** Marks the debate completed, gives up the lease and announces the outcome and plan. */
export async function completeRun(
  engine: Engine,
  run: DebateRun,
  outcome: DebateOutcome | null,
): Promise<'completed' | 'inactive'> {
  const now = engine.clock.now();
  const ended = await endLeasedRun(engine.db, {
    ...lease(engine, run),
    statuses: ['active'],
    set: { status: 'completed', completed_at: now },
  });
  if (!ended?.applied) return 'inactive';
  await engine.flushStats();
  const plan = outcome === 'selected' ? await getPlanByDebate(engine.db, run.id) : undefined;
  await engine.emit({
    type: 'debate.completed',
    debateId: run.id,
    status: 'completed',
    outcome,
    planId: plan?.id ?? null,
  });
  await engine.note('info', 'debate completed', { debateId: run.id, outcome, planId: plan?.id ?? null });
  return 'completed';
}

/**
 * Pauses the debate with a visible reason and gives up the lease. A budget pause remembers which
 * window refused, so the runner can resume it when that window resets.
 */
export async function pauseRun(
  engine: Engine,
  run: DebateRun,
  reason: 'budget' | 'error' | 'evaluators_unreadable',
  detail: Refusal | { error: string },
): Promise<void> {
  const now = engine.clock.now();
  const refusal = 'window' in detail ? detail : null;
  const ended = await endLeasedRun(engine.db, {
    ...lease(engine, run),
    statuses: ['active'],
    set: {
      status: 'paused',
      pause_reason: reason,
      metadata: {
        ...run.meta,
        budgetWindow: refusal?.window ?? null,
        budgetNeedUsd: refusal?.estimateUsd ?? null,
        pausedAt: now.toISOString(),
        errorPauses: (run.meta.errorPauses ?? 0) + (reason === 'error' ? 1 : 0),
      },
    },
    notice: { kind: 'paused', reason },
  });
  if (!ended?.applied) return;
  await engine.emit({ type: 'debate.paused', debateId: run.id, reason });
  await engine.note('warn', `debate paused: ${reason}`, { debateId: run.id, ...detail });
  if (reason === 'budget') engine.budgetChanged();
  await engine.flushStats();
}
