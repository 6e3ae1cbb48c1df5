import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../db/connect.ts';
import { listMessages } from '../../db/repositories/debate-messages.ts';
import { toHistory } from '../../engine/debate/history.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { compiled, REPO_ROOT } from '../helpers/cli.ts';
import { copyMigratedPgliteDir } from '../helpers/db.ts';

const FIXTURE = compiled('test/fixtures/engine/run-debate.ts');

/** Runs the debate fixture; with `killAtVerdicts`, SIGKILLs it once that many verdicts are committed. */
function runChild(env: Record<string, string>, killAtVerdicts?: number) {
  const child = spawn(process.execPath, [FIXTURE], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      SEED: 'verdict-crash',
      ROUNDS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const verdicts = out.match(/^committed \d+ verdict$/gm)?.length ?? 0;
    if (killAtVerdicts !== undefined && verdicts >= killAtVerdicts) child.kill('SIGKILL');
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise<{ out: string; killed: boolean }>((resolve, reject) => {
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve({ out, killed: signal === 'SIGKILL' });
      else reject(new Error(`fixture exited with ${code}: ${err}`));
    });
  });
}

const verdictCalls = (out: string) => [...out.matchAll(/^verdict-call (\S+)$/gm)].map((m) => m[1]!);

describe('a crash in the middle of concurrent verdicts', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('SIGKILL while 4 of 8 verdicts are committed → the restart runs only the other 4', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'arena-verdict-crash-'));
    const pglite = path.join(dir, 'pglite');
    await copyMigratedPgliteDir(pglite);
    const evaluators = (await builtinCatalog()).filter((p) => p.phase === 'convergence').map((p) => p.id);
    expect(evaluators).toHaveLength(8);

    // The first process: all 8 verdict calls start at once; the last 4 never answer.
    const first = await runChild({ PGLITE_DIR: pglite, HOLD_VERDICTS_AFTER: '4' }, 4);
    expect(first.killed).toBe(true);
    expect(new Set(verdictCalls(first.out))).toEqual(new Set(evaluators)); // they ran concurrently

    const second = await runChild({ PGLITE_DIR: pglite });
    expect(second.out).toContain('done');
    expect(verdictCalls(second.out).sort()).toEqual(evaluators.slice(4).sort());

    const handle = await connectDatabase({ pgliteDataDir: pglite });
    const debate = await handle.db
      .selectFrom('debate_sessions')
      .select(['id', 'status'])
      .executeTakeFirstOrThrow();
    const history = toHistory(await listMessages(handle.db, debate.id));
    await handle.close();
    expect(debate.status).toBe('completed');
    // Each evaluator's verdict exactly once, in the lineup's order.
    expect(history.filter((e) => e.step?.kind === 'verdict').map((e) => e.agentId)).toEqual(evaluators);
    expect(history.map((e) => e.turnIndex)).toEqual(history.map((_, i) => i));
  }, 120_000);
});
