import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../engine/clock.ts';
import { addIdea } from '../../engine/signals/ideas.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { PUBLIC_URL, readOnlyArena, startEmulator } from '../discord/arena-world.ts';
import { autoDebateBinding, expectFinishedThread, until } from '../discord/thread-check.ts';
import type { DiscordEmulator } from '../emulators/discord/index.ts';
import { discordEnv } from '../helpers/arena-app.ts';
import { cleanEnv, spawnArena, waitForOutput } from '../helpers/cli.ts';
import { childRedisEnv, createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/db.ts';

const IDEA = 'Repair café booking for neighbourhoods';
const NEVER = '0 0 1 1 *';

if (!TEST_DATABASE_URL)
  console.warn('[skip] TEST_DATABASE_URL is not set: debate.auto across a worker and a bot needs Postgres');

// #13/#10: `debate.auto` scheduled in a `--role worker` process, which has no chat connection. The
// worker writes the debate and a thread request in one transaction; the `--role bot` process claims
// the request, opens the thread through the real discord.js client in the emulator, binds it, and
// delivers the debate there from its log.
describe.runIf(TEST_DATABASE_URL)(
  'debate.auto in a worker, its thread opened by a bot process',
  { timeout: 400_000 },
  () => {
    let t: TestDatabase;
    let emu: DiscordEmulator;
    let cwd: string;
    const children: ChildProcess[] = [];
    let output = '';

    beforeAll(async () => {
      emu = await startEmulator();
      t = await createTestDatabase('postgres');
      cwd = await mkdtemp(path.join(tmpdir(), 'arena-auto-worker-'));
    });
    afterAll(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await emu?.close();
      await t?.dispose();
      if (cwd) await rm(cwd, { recursive: true, force: true });
    });

    const redisEnv = childRedisEnv();
    function start(role: 'bot' | 'worker', extra: Record<string, string>): ChildProcess {
      const child = spawnArena(['start', '--role', role], {
        cwd,
        env: cleanEnv({
          DATABASE_URL: t.url!,
          ...redisEnv,
          LLM_PROVIDER: 'offline',
          DEBATE_ROUNDS: '1',
          PUBLIC_URL,
          ...discordEnv(emu),
          AUTO_DEBATE_CHANNEL: `discord:${emu.seed.guildId}/${emu.seed.channels.ideas}`,
          ...extra,
        }),
      });
      const tag = (d: Buffer) => {
        output += `[${role}] ${d}`;
      };
      child.stdout?.on('data', tag);
      child.stderr?.on('data', tag);
      children.push(child);
      return child;
    }

    it('runs the debate on the worker and posts it in a thread the bot opened', async () => {
      const added = await addIdea({ db: t.db, clock: systemClock }, { title: IDEA, by: 'test' });
      expect(added.ok).toBe(true);
      const bot = start('bot', { JOBS: 'off' });
      await waitForOutput(bot, /ready: role bot/, 180_000);
      // Only debate.auto is due, every two seconds; the other jobs wait for a slot that never comes.
      const worker = start('worker', {
        JOBS: 'on',
        SCHEDULE_DEBATE_AUTO: '*/2 * * * * *',
        SCHEDULE_SIGNALS_FETCH: NEVER,
        SCHEDULE_TRENDS_ANALYZE: NEVER,
        SCHEDULE_IDEAS_GENERATE: NEVER,
        SCHEDULE_RETENTION: NEVER,
      });
      await waitForOutput(worker, /ready: role worker/, 180_000);

      const binding = await autoDebateBinding(t.db).catch((error) => {
        throw new Error(`${error.message}\n${output.slice(-4000)}`);
      });
      expect(binding).toMatchObject({ platform: 'discord', channel_id: emu.seed.channels.ideas });
      const request = await t.db
        .selectFrom('chat_thread_requests')
        .selectAll()
        .where('debate_id', '=', binding.debate_id)
        .executeTakeFirstOrThrow();
      expect(request).toMatchObject({ status: 'done', thread_id: binding.thread_id, attempts: 1 });
      expect(request.claimed_by).toBe(`${hostname()}:${bot.pid}`);
      expect(emu.threads).toHaveLength(1);
      expect(emu.threads[0]).toMatchObject({ id: binding.thread_id, parentId: emu.seed.channels.ideas });
      expect(emu.threads[0]!.name).toContain(IDEA);

      const arena = readOnlyArena(t.db, await builtinCatalog());
      const owners = new Set<string>();
      await until(
        async () => {
          const row = await t.db
            .selectFrom('debate_sessions')
            .select(['status', 'lease_owner'])
            .where('id', '=', binding.debate_id)
            .executeTakeFirstOrThrow();
          if (row.lease_owner) owners.add(row.lease_owner);
          return row.status === 'completed';
        },
        'debate completed',
        240_000,
      );
      // The worker drove it; the bot process runs no debates.
      expect([...owners].every((o) => o.endsWith(`:${worker.pid}`))).toBe(true);
      await expectFinishedThread(emu, arena, binding, await builtinCatalog());
      // The idea is taken: later runs of the job start nothing, so one thread and one debate.
      await new Promise((r) => setTimeout(r, 4000));
      expect(emu.threads).toHaveLength(1);
      expect(await t.db.selectFrom('debate_sessions').select('id').execute()).toHaveLength(1);
      expect(output).not.toMatch(/could not open a requested thread/);
    });
  },
);
