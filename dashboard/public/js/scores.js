// The convergence evaluations of a debate as they happened: per cycle, each evaluator's verdict
// (readable or not) and each decision the engine took, with the average it used.

/** The cycle a verdict or decision message belongs to (stored by the engine in metadata.step). */
function cycleOf(m) {
  const n = Number(m.metadata?.step?.cycle);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** The engine's decision carried by an outcome message, or null for any other message. */
export function decisionOf(m) {
  const step = m.metadata?.step;
  if (step?.kind !== 'outcome') return null;
  const d = m.metadata?.decision ?? {};
  return {
    outcome: String(d.outcome ?? step.outcome),
    average: typeof (d.average ?? step.average) === 'number' ? (d.average ?? step.average) : null,
    valid: Number.isFinite(d.valid) ? d.valid : null,
    total: Number.isFinite(d.total) ? d.total : null,
  };
}

/**
 * `[{ cycle, entries }]` in cycle order; entries in turn order, each `{ verdict: m }` or
 * `{ decision, m }`. An unreadable verdict stays in the list: it is part of what happened.
 */
export function evaluations(messages) {
  const cycles = new Map();
  const add = (m, entry) => {
    const n = cycleOf(m);
    if (!cycles.has(n)) cycles.set(n, { cycle: n, entries: [] });
    cycles.get(n).entries.push(entry);
  };
  for (const m of messages) {
    if (m.type === 'verdict') add(m, { verdict: m });
    else {
      const decision = decisionOf(m);
      if (decision) add(m, { decision, m });
    }
  }
  return [...cycles.values()].sort((a, b) => a.cycle - b.cycle);
}
