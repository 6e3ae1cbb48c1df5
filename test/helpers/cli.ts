import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A script of the repository (`test/fixtures/x.ts`) as the run compiled it for child processes
 * (test/setup/compiled-arena.ts): `node` starts it without a TypeScript loader.
 */
export function compiled(repoPath: string): string {
  return path.join(inject('arenaBuild'), 'dist', repoPath.replace(/\.ts$/, '.js'));
}

/** `arena` for child processes: bin/arena.js running the compiled app, as in the production image. */
export const ARENA_BIN = path.join(inject('arenaBuild'), 'bin/arena.js');

/** Environment for a child `arena`: PATH and HOME only, plus what the test sets. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    LOG_LEVEL: 'info',
    // Offline debates as fast as possible (a person watching gets OFFLINE_TURN_DELAY_MS pacing).
    OFFLINE_TURN_DELAY_MS: '0',
    ...extra,
  };
}

/** A TCP port free on 127.0.0.1 just now (for a child's DASHBOARD_PORT). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * For a child `arena start`: its environment (`cleanEnv`, its dashboard on a free port, the offline
 * provider unless `extra` says otherwise) and the address its dashboard will answer on.
 */
export async function serverEnv(
  extra: Record<string, string> = {},
): Promise<{ env: Record<string, string>; port: number; base: string }> {
  const port = await freePort();
  return {
    env: cleanEnv({ DASHBOARD_PORT: String(port), LLM_PROVIDER: 'offline', ...extra }),
    port,
    base: `http://127.0.0.1:${port}`,
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `arena <args>` to completion. */
export function runArena(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const child = spawnArena(args, opts);
  return collect(child);
}

export function spawnArena(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): ChildProcess {
  return spawn(process.execPath, [ARENA_BIN, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: opts.env ?? cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resolves with the accumulated output once `pattern` appears on stdout or stderr. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${pattern}; output so far:\n${seen}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) {
        cleanup();
        resolve(seen);
      }
    };
    const onExit = () => {
      cleanup();
      reject(new Error(`process exited before ${pattern}; output:\n${seen}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}
