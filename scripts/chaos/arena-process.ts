import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARENA_BIN = path.join(REPO_ROOT, 'bin/arena.js');

/** How an `arena start` process ended. */
export interface ArenaExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** We sent the signal (SIGKILL or SIGTERM); anything else is the process dying by itself. */
  byUs: boolean;
  stderrTail: string;
}

/** A real `arena start` child process (bin/arena.js), as a person would run it. */
export interface ArenaProcess {
  pid: number;
  /** Resolves once the process has printed a line matching `pattern`; rejects if it exits first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** True once a line matching `pattern` has been printed. */
  seen(pattern: RegExp): boolean;
  running(): boolean;
  /** Real SIGKILL; resolves once the process is gone. */
  kill(): Promise<ArenaExit>;
  /** SIGTERM (a clean shutdown); resolves with how it ended. */
  stop(): Promise<ArenaExit>;
  exited: Promise<ArenaExit>;
}

/**
 * Starts `arena start` in `cwd` with exactly `env` (give it PATH and HOME): this checkout's
 * bin/arena.js, or `bin` (the tests pass the run's compiled build, test/setup/compiled-arena.ts).
 */
export function startArenaProcess(p: {
  env: Record<string, string>;
  cwd: string;
  bin?: string;
  onLine?: (line: string) => void;
}): ArenaProcess {
  const child = spawn(process.execPath, [p.bin ?? ARENA_BIN, 'start'], {
    cwd: p.cwd,
    env: p.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let byUs = false;
  const lines = (chunk: string, pending: { rest: string }) => {
    pending.rest += chunk;
    const parts = pending.rest.split('\n');
    pending.rest = parts.pop()!;
    for (const line of parts) p.onLine?.(line);
  };
  const outRest = { rest: '' };
  const errRest = { rest: '' };
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
    lines(d.toString(), outRest);
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 2_000_000) err = err.slice(-1_000_000);
    lines(d.toString(), errRest);
  });
  const exited = new Promise<ArenaExit>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, byUs, stderrTail: err.slice(-4000) })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const text = () => `${out}\n${err}`;
  return {
    pid: child.pid ?? -1,
    exited,
    running,
    seen: (pattern) => pattern.test(text()),
    async waitFor(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text())) {
        if (!running()) throw new Error(`arena exited before ${pattern}: ${err.slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}: ${err.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill() {
      if (running()) {
        byUs = true;
        child.kill('SIGKILL');
      }
      return exited;
    },
    async stop() {
      if (running()) {
        byUs = true;
        child.kill('SIGTERM');
      }
      return exited;
    },
  };
}
