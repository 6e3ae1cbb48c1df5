// Where a debate stands in its phase, in that phase's own unit: `planning · sections 6/6`,
// `divergence · round 2/3`. Shared by the dashboard and the CLI (`arena debates list`), so both say
// the same thing; the numbers come from the server's view (DebateSummaryView.progress).

/** The unit each phase counts its progress in. */
export const PROGRESS_UNIT = Object.freeze({
  divergence: 'round',
  convergence: 'verdicts',
  planning: 'sections',
});

/** `<unit> <done>/<total>`; `unitWord(unit)` names the unit in the caller's language. */
export function progressText(d, unitWord) {
  return `${unitWord(PROGRESS_UNIT[d.phase] ?? 'round')} ${d.progress.done}/${d.progress.total}`;
}

/** `<phase> · <unit> <done>/<total>`; `words.phase` and `words.unit` name them. */
export function phaseProgressText(d, words) {
  return `${words.phase(d.phase)} · ${progressText(d, words.unit)}`;
}
