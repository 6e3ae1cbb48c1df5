import { spawn } from 'node:child_process';
import { compiled, REPO_ROOT } from '../helpers/cli.ts';

/** The engine and Discord bot in a child process (test/fixtures/arena-child.ts). */
export interface ChildArena {
  /** Resolves when the child has printed a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Real SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Calls `fn` on each line the child prints (e.g. to SIGKILL it at an exact moment). */
  onLine(fn: (line: string) => void): void;
  output(): string;
}

export function startChild(env: Record<string, string>): ChildArena {
  const child = spawn(process.execPath, [compiled('test/fixtures/arena-child.ts')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let pending = '';
  const listeners: Array<(line: string) => void> = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) for (const fn of listeners) fn(line);
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    output: () => out,
    onLine: (fn) => listeners.push(fn),
    async waitFor(pattern, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(out)) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`child exited before ${pattern}: ${err.slice(-2000)}`);
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${pattern}; stderr: ${err.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
