/** Per-attempt cancellation: the caller's signal plus an inactivity timeout, as one AbortSignal. */
export interface CallGuard {
  readonly signal: AbortSignal;
  /** Call on every byte of progress: the timeout counts silence, not total time. */
  touch(): void;
  /** Why the signal fired, or null while it has not. */
  outcome(): 'timeout' | 'aborted' | null;
  dispose(): void;
}

export function createCallGuard(outer: AbortSignal | undefined, timeoutMs: number): CallGuard {
  const controller = new AbortController();
  let outcome: 'timeout' | 'aborted' | null = null;
  const onOuterAbort = () => {
    if (outcome) return;
    outcome = 'aborted';
    controller.abort(outer?.reason);
  };
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  // Silence, not total time: a slow CPU model may stream for minutes, but never goes quiet that long.
  const timer = setTimeout(() => {
    if (outcome) return;
    outcome = 'timeout';
    controller.abort(new Error(`no answer for ${timeoutMs} ms`));
  }, timeoutMs);
  timer.unref?.();
  return {
    signal: controller.signal,
    touch: () => {
      if (!outcome) timer.refresh();
    },
    outcome: () => outcome,
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    },
  };
}

/** A fetch whose requests also stop when `signal` fires (in addition to any signal the caller passes). */
export function guardedFetch(fetchImpl: typeof fetch, signal: AbortSignal): typeof fetch {
  return (input, init) =>
    fetchImpl(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
}
