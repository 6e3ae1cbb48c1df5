import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

// Start-up figures of the production layout: `npm run build`, then dist/, bin/arena.js,
// package.json and node_modules in one folder, which is what the Docker image holds.

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Builds dist/ and lays out the image folder in the system temp folder; returns it. */
export function buildImage(progress: (line: string) => void): string {
  progress('footprint: npm run build');
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.js')], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  if (built.status !== 0) throw new Error(`npm run build failed (exit ${built.status})`);
  const image = mkdtempSync(path.join(os.tmpdir(), 'arena-image-'));
  cpSync(path.join(ROOT, 'dist'), path.join(image, 'dist'), { recursive: true });
  cpSync(path.join(ROOT, 'package.json'), path.join(image, 'package.json'));
  mkdirSync(path.join(image, 'bin'));
  cpSync(path.join(ROOT, 'bin/arena.js'), path.join(image, 'bin/arena.js'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(image, 'node_modules'));
  return image;
}

export function removeImage(image: string): void {
  rmSync(image, { recursive: true, force: true });
}

/** Wall ms of `arena --help` in the image, `runs` times, and of a bare `node -e 0` for scale. */
export function helpTimes(image: string, pathEnv: string, runs = 5): { helpMs: number[]; nodeMs: number[] } {
  const time = (args: string[]) => {
    const began = performance.now();
    const r = spawnSync(process.execPath, args, {
      cwd: image,
      stdio: 'ignore',
      env: minimalEnv(pathEnv, {}),
    });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    return performance.now() - began;
  };
  const helpMs: number[] = [];
  const nodeMs: number[] = [];
  time(['bin/arena.js', '--help']); // the first run warms the file cache
  for (let i = 0; i < runs; i++) {
    helpMs.push(time(['bin/arena.js', '--help']));
    nodeMs.push(time(['-e', '0']));
  }
  return { helpMs, nodeMs };
}

/**
 * The Node flags the image starts the server with: the Dockerfile's `CMD ["node", <flags>…,
 * "bin/arena.js", "start"]`, so the figures are those of what the image runs.
 */
export function imageNodeFlags(): string[] {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const cmd = [...dockerfile.matchAll(/^CMD\s+(\[.*\])\s*$/gm)].at(-1)?.[1];
  const argv: unknown = cmd ? JSON.parse(cmd) : null;
  if (!Array.isArray(argv) || argv[0] !== 'node' || !argv.includes('bin/arena.js'))
    throw new Error('Dockerfile: expected CMD ["node", …, "bin/arena.js", "start"]');
  return argv.slice(1, argv.indexOf('bin/arena.js')).map(String);
}

export interface IdleStart {
  /** Resident set size after starting and idling, in MB. */
  rssMb: number;
  /** From spawn to the dashboard's "listening" line, in ms. */
  readyMs: number;
}

/**
 * `arena start` in the image, with the Dockerfile's Node flags, the offline model and nothing else
 * configured: waits for the
 * dashboard line, idles `idleMs`, reads the process's RSS, and stops it with SIGTERM.
 */
export async function idleStart(
  image: string,
  opts: {
    dataDir: string;
    databaseUrl?: string | undefined;
    idleMs: number;
    port: number;
    /** PATH of the fresh-shell environment (bench/args.ts `loadBenchEnv`). */
    path: string;
  },
): Promise<IdleStart> {
  const env = minimalEnv(opts.path, {
    LLM_PROVIDER: 'offline',
    DATA_DIR: opts.dataDir,
    DASHBOARD_PORT: String(opts.port),
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
  });
  const began = performance.now();
  const child = spawn(process.execPath, [...imageNodeFlags(), path.join(image, 'bin/arena.js'), 'start'], {
    cwd: opts.dataDir,
    env,
    stdio: 'pipe',
  });
  let output = '';
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`arena start gave no dashboard line in 180 s:\n${output}`)),
        180_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/dashboard: http/.test(output)) {
          clearTimeout(timer);
          resolve(performance.now() - began);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`arena start exited ${code}:\n${output}`));
      });
    });
    await new Promise((r) => setTimeout(r, opts.idleMs));
    return { rssMb: rssMbOf(child.pid!), readyMs };
  } finally {
    child.removeAllListeners('exit');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
  }
}

function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Only what a fresh shell would have: no .env of the checkout, no test settings. */
function minimalEnv(pathEnv: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: pathEnv, HOME: os.tmpdir(), ...extra };
}
