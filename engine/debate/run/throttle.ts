/** Work run at most once per interval, however often it is asked for; `flush` runs what is pending now. */
export interface Throttled {
  /** Asks for a run: at once if the last one is `minMs` old, else when it is. */
  schedule(): void;
  /** Runs pending work now and waits for it (and for a run in progress). */
  flush(): Promise<void>;
  /** Drops pending work. */
  cancel(): void;
}

export function throttle(
  work: () => Promise<void>,
  minMs: number,
  onError: (error: unknown) => void,
): Throttled {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let pending = false;
  let last = Number.NEGATIVE_INFINITY;

  function arm() {
    if (timer || running || !pending) return;
    timer = setTimeout(() => void run(), Math.max(0, last + minMs - Date.now()));
    timer.unref?.();
  }
  function run(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (running) return running;
    if (!pending) return Promise.resolve();
    pending = false;
    last = Date.now();
    running = work()
      .catch(onError)
      .finally(() => {
        running = undefined;
        arm();
      });
    return running;
  }
  return {
    schedule() {
      pending = true;
      arm();
    },
    async flush() {
      await running;
      await run();
    },
    cancel() {
      pending = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
