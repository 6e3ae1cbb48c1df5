import type { DebateOutcome } from '../../../db/schema.ts';
import {
  MAX_REFINEMENTS,
  MIN_VALID_VERDICTS,
  REJECT_AVERAGE,
  RESOLVE_AVERAGE,
  SELECT_AVERAGE,
} from '../../constants.ts';
import type { Verdict } from '../verdict.ts';

export interface OutcomeDecision {
  outcome: DebateOutcome;
  /** Mean score of the readable verdicts, one decimal; null when none could be read. */
  average: number | null;
  valid: number;
  total: number;
}

/**
 * Convergence outcome by thresholds. Too few readable verdicts cannot select an idea. After the
 * allowed refinement loops, an undecided middle is resolved: selected at RESOLVE_AVERAGE or more.
 */
export function decideOutcome(verdicts: ReadonlyArray<Verdict | null>, cycle: number): OutcomeDecision {
  const scores = verdicts.filter((v): v is Verdict => v !== null).map((v) => v.score);
  const average =
    scores.length === 0 ? null : Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10;
  const base = { average, valid: scores.length, total: verdicts.length };
  let outcome: DebateOutcome = 'needs_refinement';
  if (average !== null && scores.length >= MIN_VALID_VERDICTS) {
    if (average >= SELECT_AVERAGE) outcome = 'selected';
    else if (average < REJECT_AVERAGE) outcome = 'rejected';
  }
  if (outcome === 'needs_refinement' && cycle > MAX_REFINEMENTS) {
    const enough = average !== null && scores.length >= MIN_VALID_VERDICTS;
    outcome = enough && average >= RESOLVE_AVERAGE ? 'selected' : 'rejected';
  }
  return { outcome, ...base };
}
