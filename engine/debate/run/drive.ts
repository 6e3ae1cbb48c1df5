import { reclaimHolds } from '../../../db/repositories/budget.ts';
import { claimLease, endLeasedRun } from '../../../db/repositories/debate-leases.ts';
import { abortableSleep } from '../../llm/retry.ts';
import { LlmError } from '../../llm/types.ts';
import { type Engine, errorText } from '../engine.ts';
import { LeaseLostError } from './commit.ts';
import { pauseRun } from './run-end.ts';
import { loadRun, refreshRun } from './run-state.ts';
import { type RunEnd, takeTurn } from './turn.ts';

/**
 * Runs one debate while this process holds its lease: step after step until it completes, pauses,
 * is stopped elsewhere, or `signal` fires (then the call in flight is abandoned uncommitted). The
 * lease is kept by the engine's lease keeper (renewed with the process's other debates when no
 * commit extended it lately); losing it aborts the call in flight.
 */
export async function driveDebate(engine: Engine, debateId: string, signal: AbortSignal): Promise<RunEnd> {
  const { db, clock, instanceId, settings } = engine;
  const lease = () => ({ id: debateId, owner: instanceId, now: clock.now(), ttlMs: settings.leaseMs });
  const claimed = await claimLease(db, lease());
  if (!claimed) return 'not_claimed';
  // Holds a previous runner left (it crashed or lost the lease mid call) go back to the budget.
  if (Number(claimed.held_usd) > 0) await reclaimHolds(db, { debateId });

  const lost = new AbortController();
  const stop = AbortSignal.any([signal, lost.signal]);
  const release = engine.leases.keep(debateId, () => lost.abort());
  const ended = () => (lost.signal.aborted ? 'lease_lost' : 'stopped');

  try {
    let run = await loadRun(engine, claimed);
    let failures = 0;
    for (;;) {
      if (stop.aborted) return ended();
      try {
        const next = await takeTurn(engine, run, stop);
        if (typeof next === 'string') return next;
        run = next;
        failures = 0;
      } catch (error) {
        if (stop.aborted) return ended();
        if (error instanceof LeaseLostError) return 'lease_lost';
        failures++;
        const retryable = !(error instanceof LlmError) || error.retryable;
        const details = { debateId, attempt: failures, error: errorText(error) };
        if (!retryable || failures > settings.retryDelaysMs.length) {
          await pauseRun(engine, run, 'error', { error: errorText(error) });
          return 'paused';
        }
        await engine.note('warn', 'debate step failed; retrying', details);
        await abortableSleep(settings.retryDelaysMs[failures - 1]!, stop).catch(() => {});
        run = await refreshRun(engine, run);
      }
    }
  } finally {
    release();
    // A run that ended without completing or pausing gives the debate back for any runner to take.
    await endLeasedRun(db, lease()).catch((error) =>
      engine.log.warn('lease release failed', { debateId, error: errorText(error) }),
    );
  }
}
