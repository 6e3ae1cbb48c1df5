/**
 * What a run has to undo (children, proxies, emulators, its database), undone last-in first-out once:
 * at the end of the run, or at once on Ctrl-C / SIGTERM while the run is still going.
 */
export class Cleanups {
  #steps: Array<() => Promise<unknown>> = [];
  #running: Promise<void> | null = null;

  /** True once the steps have begun: the run must start nothing more (no new arena process). */
  get started(): boolean {
    return this.#running !== null;
  }

  add(step: () => Promise<unknown>): void {
    if (this.#running) void step().catch(() => {});
    else this.#steps.push(step);
  }

  /** Runs every step (each once, a failing one does not stop the rest); later calls wait for the first. */
  run(): Promise<void> {
    this.#running ??= (async () => {
      for (const step of this.#steps.reverse()) await step().catch(() => {});
      this.#steps = [];
    })();
    return this.#running;
  }
}
