import { type ClaimHold, claimTurn } from '../../../db/repositories/debate-leases.ts';
import { utcDay } from '../../../db/repositories/usage.ts';
import type { DebateSessionRow } from '../../../db/schema.ts';
import type { Hold } from '../../budget/index.ts';
import type { Engine } from '../engine.ts';
import { type HistoryEntry, withEntry } from '../history.ts';
import { LABELS } from '../labels.ts';
import { messageRow } from '../message.ts';
import type { ActiveStep } from '../plan/planner.ts';
import { toMessageView } from '../views.ts';
import { commitStep } from './commit.ts';
import { settleAlone } from './llm-call.ts';
import { pauseRun } from './run-end.ts';
import { type DebateRun, type RunEnd, refreshRun } from './run-state.ts';
import { draftStep, type StepCallResult, type StepRequest } from './step-call.ts';

/** A claimed turn: the debate row after the claim, and the hold taken with it for the first call. */
export interface ClaimedTurn {
  session: DebateSessionRow;
  /** Held for the first call (null: nothing to hold); undefined when the claim held nothing. */
  held: Hold | null | undefined;
}

/**
 * Claims `turnIndex` for `step` under this runner's lease, holding `hold` (the first call's
 * estimate) in the same statement: the claimed turn, or why not. A hold the budget refused leaves
 * the turn claimed and `held` undefined: the call then asks the budget itself (which folds first).
 */
export async function claimStep(
  engine: Pick<Engine, 'db' | 'clock' | 'instanceId' | 'settings'>,
  debateId: string,
  step: ActiveStep,
  turnIndex: number,
  hold?: ClaimHold,
): Promise<ClaimedTurn | 'moved' | 'lease_lost' | 'inactive'> {
  const now = engine.clock.now();
  const claimed = await claimTurn(engine.db, {
    id: debateId,
    owner: engine.instanceId,
    now,
    ttlMs: engine.settings.leaseMs,
    turnIndex,
    speaker: 'speakerId' in step ? step.speakerId : null,
    phase: step.phase,
    round: step.round,
    hold,
  });
  if (!claimed.ok) return claimed.reason === 'not_active' ? 'inactive' : claimed.reason;
  return { session: claimed.session, held: heldByClaim(hold, claimed.held, now) };
}

/** The first call's hold as the claim took it: null when there was nothing to hold, undefined when it took none. */
function heldByClaim(hold: ClaimHold | undefined, held: boolean, now: Date): Hold | null | undefined {
  if (hold === undefined) return undefined;
  if (hold.amountUsd <= 0) return null;
  return held ? { amountUsd: hold.amountUsd, day: utcDay(now) } : undefined;
}

/**
 * The steps of one turn: a single step, or independent steps (verdicts, plan sections) at once.
 * Every call starts now (the LLM router bounds how many run), and each result is committed as its
 * own step, one transaction each, in the given order, as soon as the ones before it are committed:
 * readers see the same order whatever finished first. A crash or failure leaves the committed
 * prefix; the next run plans only the missing steps. The first step's turn is already claimed
 * (`run.session`), its request built and its first call held with the claim (`first`); each later
 * one claims its own.
 */
export async function takeSteps(
  engine: Engine,
  run: DebateRun,
  steps: readonly ActiveStep[],
  firstIndex: number,
  basis: readonly HistoryEntry[],
  signal: AbortSignal,
  first?: { request: StepRequest; held: Hold | null | undefined },
): Promise<DebateRun | RunEnd> {
  const stop = new AbortController();
  const groupSignal = AbortSignal.any([signal, stop.signal]);
  const calls = steps.map((step, i): Promise<StepCallResult> => {
    if (step.kind === 'outcome') {
      // The outcome is decided from the verdicts: no model is called.
      const content = LABELS[run.lang].outcomeNote(step.decision);
      const draft = { content, model: null, usages: [], meta: { decision: step.decision } };
      return Promise.resolve({ ok: true, draft });
    }
    const input = {
      debateId: run.id,
      lang: run.lang,
      idea: run.idea,
      rounds: run.meta.rounds,
      capUsd: run.meta.budgetCapUsd,
      step,
      turnIndex: firstIndex + i,
      history: basis,
      signal: groupSignal,
      siblings: steps.length,
    };
    return draftStep(engine, input, i === 0 ? first : undefined);
  });
  for (const c of calls) c.catch(() => {}); // awaited in order below; a later failure must not go unhandled
  /** Stops the calls after `from` and records what the finished ones spent. */
  const abandon = async (from: number) => {
    stop.abort();
    for (const c of calls.slice(from)) {
      const done = await c.catch(() => undefined);
      if (done?.ok) await settleAlone(engine, run.id, done.draft.usages);
    }
  };

  let current = run;
  for (const [i, step] of steps.entries()) {
    const turnIndex = firstIndex + i;
    const speakerId = 'speakerId' in step ? step.speakerId : null;
    let called: StepCallResult;
    try {
      called = await calls[i]!;
    } catch (error) {
      await abandon(i + 1);
      throw error;
    }
    if (!called.ok) {
      await abandon(i + 1);
      await pauseRun(engine, current, 'budget', called.refusal);
      return 'paused';
    }
    let session = current.session;
    if (i > 0) {
      const claimed = await claimStep(engine, run.id, step, turnIndex);
      if (typeof claimed === 'string') {
        await settleAlone(engine, run.id, called.draft.usages);
        await abandon(i + 1);
        // 'moved': a person's message took the index; plan again with it in the history.
        return claimed === 'moved' ? refreshRun(engine, current) : claimed;
      }
      session = claimed.session;
    }
    const row = messageRow({
      debateId: run.id,
      lang: run.lang,
      step,
      turnIndex,
      history: basis,
      cast: engine.cast,
      draft: called.draft,
      now: engine.clock.now(),
    });
    const usages = called.draft.usages;
    const committed = await commitStep(engine, {
      session,
      step,
      row,
      usages,
      idea: run.idea,
      handle: speakerId === null ? undefined : engine.cast.byId.get(speakerId)?.handle,
    }).catch(async (error: unknown) => {
      // The turn is lost, but its tokens were spent: record them.
      await settleAlone(engine, run.id, usages);
      await abandon(i + 1);
      throw error;
    });
    // Committed before announced: a viewer never sees a message a restart could lose.
    await engine.emit({
      type: 'message.created',
      debateId: run.id,
      message: toMessageView(committed.message, engine.cast),
    });
    engine.statsChanged();
    if (usages.length > 0) engine.budgetChanged();
    current = {
      ...current,
      session: committed.session,
      history: withEntry(current.history, committed.message),
    };
  }
  return current;
}
