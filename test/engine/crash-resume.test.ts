import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../db/connect.ts';
import { listMessages } from '../../db/repositories/debate-messages.ts';
import type { Database } from '../../db/schema.ts';
import type { StartDebateInput } from '../../engine/api.ts';
import { toHistory } from '../../engine/debate/history.ts';
import { seededRng } from '../../engine/debate/plan/random.ts';
import { compiled, REPO_ROOT } from '../helpers/cli.ts';
import { copyMigratedPgliteDir, createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { createHarness } from './harness.ts';

const FIXTURE = compiled('test/fixtures/engine/run-debate.ts');
const DEBATE = { SEED: 'crash-seed-7', IDEA: 'a wallet app for DAOs', ROUNDS: '1' };

/** What must not change across crashes: who spoke, when, in which phase, answering what. */
async function structure(db: Kysely<Database>) {
  const debates = await db.selectFrom('debate_sessions').select(['id', 'status', 'outcome']).execute();
  expect(debates).toHaveLength(1);
  const history = toHistory(await listMessages(db, debates[0]!.id));
  return {
    status: debates[0]!.status,
    outcome: debates[0]!.outcome,
    turns: history.map(
      (e) => `${e.turnIndex} ${e.phase}/${e.round} ${e.agentId} ${e.type} [${e.refs.join(',')}]`,
    ),
  };
}

/** Runs the fixture until it prints `done` or until `killAfter` more messages were committed (then SIGKILL). */
function runChild(
  env: Record<string, string>,
  killAfter: number,
): Promise<{ done: boolean; committed: number }> {
  const child = spawn(process.execPath, [FIXTURE], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...DEBATE,
      DELAY_MS: '15',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let committed = 0;
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    committed = out.match(/^committed /gm)?.length ?? 0;
    if (committed >= killAfter && !out.includes('done')) child.kill('SIGKILL');
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL' || out.includes('done')) resolve({ done: out.includes('done'), committed });
      else reject(new Error(`fixture exited with ${code}: ${err}`));
    });
  });
}

describe('crash and resume', () => {
  let expected: Awaited<ReturnType<typeof structure>>;
  beforeAll(async () => {
    // The uninterrupted run of the same debate (same seed, same fake model), in-process.
    const t = await createTestDatabase('pglite');
    const h = await createHarness(t.db);
    const { debateId } = await h.arena.startDebate({
      idea: DEBATE.IDEA,
      origin: 'test',
      rounds: Number(DEBATE.ROUNDS),
      seed: DEBATE.SEED,
    } as StartDebateInput);
    await h.runner.run(debateId);
    expected = await structure(t.db);
    await t.dispose();
  });

  describe.each(testDialects())('on %s', (dialect) => {
    let t: TestDatabase | undefined;
    let dir: string | undefined;
    afterAll(async () => {
      await t?.dispose();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('SIGKILLed at random turns, restarted, ends with the transcript of an uninterrupted run', async () => {
      let env: Record<string, string>;
      if (dialect === 'postgres') {
        t = await createTestDatabase('postgres');
        env = { DATABASE_URL: t.url! };
      } else {
        dir = await mkdtemp(path.join(tmpdir(), 'arena-crash-'));
        await copyMigratedPgliteDir(path.join(dir, 'pglite'));
        env = { PGLITE_DIR: path.join(dir, 'pglite') };
      }
      const rng = seededRng('kills', dialect);
      let kills = 0;
      for (let i = 0; i < 40; i++) {
        const run = await runChild(env, 2 + Math.floor(rng() * 8));
        if (run.done) break;
        kills++;
      }
      expect(kills).toBeGreaterThan(2);
      const db = t?.db ?? (await connectDatabase({ pgliteDataDir: path.join(dir!, 'pglite') })).db;
      const actual = await structure(db);
      if (!t) await db.destroy();
      expect(actual).toEqual(expected);
      expect(actual.status).toBe('completed');
    }, 300_000);
  });
});
