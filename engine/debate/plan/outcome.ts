import type { DebateOutcome } from '../../../db/schema.ts';
import {
  MAX_REFINEMENTS,
  MIN_VALID_VERDICTS,
  REJECT_AVERAGE,
  RESOLVE_AVERAGE,
  SELECT_AVERAGE,
} from '../../constants.ts';
import type { Verdict } from '../verdict.ts';

/**
 * What a convergence cycle decided: a debate outcome, or `unreadable` — too few evaluators answered
 * in a readable form to decide anything. Unreadable is not a verdict on the idea: the debate pauses
 * and, when resumed, asks the unreadable evaluators again.
 */
export type DecisionOutcome = DebateOutcome | 'unreadable';

export interface OutcomeDecision {
  outcome: DecisionOutcome;
  /** Mean score of the readable verdicts, one decimal; null when none could be read. */
  average: number | null;
  valid: number;
  total: number;
}

/**
 * Convergence outcome by thresholds over the readable verdicts. Fewer readable verdicts than needed
 * (MIN_VALID_VERDICTS, or every evaluator when there are fewer) decide nothing: `unreadable`. After
 * the allowed refinement loops, an undecided middle is resolved: selected at RESOLVE_AVERAGE or more.
 */
export function decideOutcome(verdicts: ReadonlyArray<Verdict | null>, cycle: number): OutcomeDecision {
  const scores = verdicts.filter((v): v is Verdict => v !== null).map((v) => v.score);
  const average =
    scores.length === 0 ? null : Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10;
  const base = { average, valid: scores.length, total: verdicts.length };
  const needed = Math.max(1, Math.min(MIN_VALID_VERDICTS, verdicts.length));
  if (average === null || scores.length < needed) return { outcome: 'unreadable', ...base };
  if (average >= SELECT_AVERAGE) return { outcome: 'selected', ...base };
  if (average < REJECT_AVERAGE) return { outcome: 'rejected', ...base };
  if (cycle > MAX_REFINEMENTS) {
    return { outcome: average >= RESOLVE_AVERAGE ? 'selected' : 'rejected', ...base };
  }
  return { outcome: 'needs_refinement', ...base };
}

/** Whether a decision is one the debate records as its outcome (unreadable decides nothing). */
export function isDecided(outcome: DecisionOutcome): outcome is DebateOutcome {
  return outcome !== 'unreadable';
}
