// A debate's header figures (phase, progress, status) fetched again from the server after they
// moved, so the page shows the server's counts instead of guessing them from events.
import { getJson } from './net.js';

/** Returns `refresh(id)`: after a short quiet time, fetches the debate and passes its view on. */
export function summaryRefresher(onFresh, quietMs = 300) {
  let timer = null;
  return (id) => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const fresh = await getJson(`/api/debates/${encodeURIComponent(id)}`).catch(() => null);
      if (fresh?.debate) onFresh(fresh.debate);
    }, quietMs);
  };
}

/** Messages after which a phase's progress has moved (an evaluator answered, a section was written). */
export function movesProgress(m) {
  return m.type === 'verdict' || m.type === 'plan';
}
