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
import { draftStep, type PreparedStep, type StepCallResult } from './step-call.ts';

/** A claimed turn: the debate row after the claim, and the holds taken with it for its steps' first calls. */
export interface ClaimedTurn {
  session: DebateSessionRow;
  /** Per step: its first call's hold (null: nothing to hold), undefined when the claim took none. */
  held: ReadonlyArray<Hold | null | undefined>;
}

/**
 * Claims `turnIndex` for `step` under this runner's lease, holding in the same statement the first
 * calls' estimates of the turn's steps (`holds`: a group's verdicts or plan sections start at once),
 * all or nothing: the claimed turn, or why not. A hold the budget refused leaves the turn claimed
 * and every `held` undefined: each call then asks the budget itself (which folds first, and may
 * fit some of them).
 */
export async function claimStep(
  engine: Pick<Engine, 'db' | 'clock' | 'instanceId' | 'settings'>,
  debateId: string,
  step: ActiveStep,
  turnIndex: number,
  holds: ReadonlyArray<ClaimHold | undefined> = [],
): Promise<ClaimedTurn | 'moved' | 'lease_lost' | 'inactive'> {
  const now = engine.clock.now();
  const asked = holds.filter((h): h is ClaimHold => h !== undefined && h.amountUsd > 0);
  const claimed = await claimTurn(engine.db, {
    id: debateId,
    owner: engine.instanceId,
    now,
    ttlMs: engine.settings.leaseMs,
    turnIndex,
    speaker: 'speakerId' in step ? step.speakerId : null,
    phase: step.phase,
    round: step.round,
    // The limits are the debate's and the window's, the same for every step.
    hold: asked[0] && { ...asked[0], amountUsd: microSum(asked.map((h) => h.amountUsd)) },
  });
  if (!claimed.ok) return claimed.reason === 'not_active' ? 'inactive' : claimed.reason;
  const day = utcDay(now);
  const held = holds.map((h) => {
    if (h === undefined) return undefined;
    if (h.amountUsd <= 0) return null;
    return claimed.held ? { amountUsd: h.amountUsd, day } : undefined;
  });
  return { session: claimed.session, held };
}

/** A sum of micro-dollar amounts, without float drift. */
function microSum(amounts: readonly number[]): number {
  return amounts.reduce((n, a) => n + Math.round(a * 1e6), 0) / 1e6;
}

/**
 * The steps of one turn: a single step, or independent steps (verdicts, plan sections) at once.
 * Every call starts now (the LLM router bounds how many run), and each result is committed as its
 * own step, one transaction each, in the given order, as soon as the ones before it are committed:
 * readers see the same order whatever finished first. A crash or failure leaves the committed
 * prefix; the next run plans only the missing steps. The first step's turn is already claimed
 * (`run.session`), and the steps' requests built and their first calls held with that claim
 * (`prepared`); each later step claims its own turn when it commits.
 */
export async function takeSteps(
  engine: Engine,
  run: DebateRun,
  steps: readonly ActiveStep[],
  firstIndex: number,
  basis: readonly HistoryEntry[],
  signal: AbortSignal,
  prepared: ReadonlyArray<PreparedStep | undefined> = [],
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
    return draftStep(engine, input, prepared[i]);
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
