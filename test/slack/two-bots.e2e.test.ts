import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../personas/index.ts';
import { readOnlyArena } from '../discord/arena-world.ts';
import { until } from '../discord/thread-check.ts';
import { type SlackEmulator, startSlackEmulator } from '../emulators/slack/index.ts';
import { PUBLIC_URL, slackEnv } from '../helpers/arena-app.ts';
import { cleanEnv, collect, spawnArena, waitForOutput } from '../helpers/cli.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/db.ts';
import { expectSlackThreadMatchesDebate } from './thread-check.ts';

const IDEAS = [
  'A tool library for one street',
  'Seed swaps at the bus stop',
  'Night buses booked by text',
  'A choir for people who cannot sing',
];

if (!TEST_DATABASE_URL)
  console.warn('[skip] TEST_DATABASE_URL is not set: the two Slack bot processes are skipped');

// Slack's Socket Mode is not held by one process the way Discord's gateway is: Slack lets an app
// open up to 10 connections and sends each envelope to exactly one of them, so every bot process
// keeps its own connection (Slack stays reachable while any of them is up). Two real
// `arena start --role bot` processes (and a worker) on one Postgres: every command is handled once,
// by whichever process Slack picked; each thread is delivered once, in order, also after one bot
// process is SIGKILLed.
describe.runIf(TEST_DATABASE_URL)('two Slack bot processes in Socket Mode on one Postgres', () => {
  let t: TestDatabase;
  let cwd: string;
  let emu: SlackEmulator;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    cwd = await mkdtemp(path.join(tmpdir(), 'arena-slack-bots-'));
    emu = await startSlackEmulator();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await emu?.close();
    await t?.dispose();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  const spawn = (role: 'bot' | 'worker') => {
    const child = spawnArena(['start', '--role', role], {
      cwd,
      env: cleanEnv({
        DATABASE_URL: t.url!,
        LLM_PROVIDER: 'offline',
        DEBATE_ROUNDS: '1',
        JOBS: 'off',
        PUBLIC_URL,
        ...(role === 'bot' ? slackEnv(emu, 'socket') : {}),
      }),
    });
    children.push(child);
    return { child, exit: collect(child) };
  };

  it('handles each command once, on either process, and delivers every thread once and in order', async () => {
    const worker = spawn('worker');
    const a = spawn('bot');
    const b = spawn('bot');
    await Promise.all([
      waitForOutput(worker.child, /ready: role worker/, 180_000),
      waitForOutput(a.child, /ready: role bot/, 180_000),
      waitForOutput(b.child, /ready: role bot/, 180_000),
    ]);
    await emu.waitFor(() => emu.socketConnections() === 2, 60_000, 'two Socket Mode connections');

    /** The command's response_url got exactly one "Debate started". */
    const answeredOnce = async (responseId: string) => {
      await emu.waitFor(() => emu.responsesFor(responseId).length > 0, 60_000, 'a command reply');
      const answers = emu.responsesFor(responseId);
      expect(answers.filter((x) => x.text?.includes('Debate started'))).toHaveLength(1);
    };
    const start = (idea: string) =>
      emu.slashCommand({ user: emu.seed.alice, channel: emu.seed.ideas, text: `start ${idea} rounds:1` });
    // Two commands while both processes are connected: Slack sends one to each.
    const first = await Promise.all(IDEAS.slice(0, 2).map(start));
    expect(first.map((r) => r.status)).toEqual([200, 200]);
    expect(new Set(first.map((r) => r.connection)).size).toBe(2);
    for (const r of first) await answeredOnce(r.responseId);

    // One bot process dies: the other's connection takes every command at once (no lease to wait out).
    a.child.kill('SIGKILL');
    await a.exit;
    await emu.waitFor(() => emu.socketConnections() === 1, 30_000, 'one connection left');
    const later = await Promise.all(IDEAS.slice(2).map(start));
    expect(later.map((r) => r.status)).toEqual([200, 200]);

    // Each command was answered once, with its own debate; one root card per debate.
    for (const r of later) await answeredOnce(r.responseId);
    const bindings = await until(
      async () => {
        const rows = await t.db.selectFrom('chat_threads').select(['thread_id', 'debate_id']).execute();
        return rows.length === IDEAS.length && rows;
      },
      'four thread bindings',
      60_000,
    );
    expect(await t.db.selectFrom('debate_sessions').select('id').execute()).toHaveLength(IDEAS.length);
    const roots = emu.roots(emu.seed.ideas);
    expect(roots.map((m) => m.ts).sort()).toEqual(bindings.map((x) => x.thread_id).sort());

    // Every thread shows its committed debate exactly: delivered by one process at a time, taken
    // over from the killed one.
    const arena = readOnlyArena(t.db, await builtinCatalog());
    for (const binding of bindings) {
      const detail = await until(
        async () => {
          const d = await arena.getDebate(binding.debate_id);
          return d?.status === 'completed' && d;
        },
        'debate end',
        300_000,
      );
      await until(
        async () =>
          emu.thread(emu.seed.ideas, binding.thread_id).some((m) => m.text.includes('Debate finished')),
        'end banner',
        120_000,
      );
      expectSlackThreadMatchesDebate(emu, binding.thread_id, detail);
    }
    expect(new Set(roots.map((m) => m.text)).size).toBe(IDEAS.length);

    worker.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    const [w, k] = await Promise.all([worker.exit, b.exit]);
    expect(w.code, w.stderr).toBe(0);
    expect(k.code, k.stderr).toBe(0);
  }, 600_000);
});
