import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutbox } from '../../db/repositories/chat-outbox.ts';
import { builtinCatalog } from '../../personas/index.ts';
import type { DiscordEmulator } from '../emulators/discord/index.ts';
import { cleanEnv, spawnArena } from '../helpers/cli.ts';
import {
  childRedisEnv,
  createTestDatabase,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  type TestDatabase,
} from '../helpers/db.ts';
import { PUBLIC_URL, readOnlyArena, startEmulator } from './arena-world.ts';
import { expectThreadMatchesDebate, ownPosts, until } from './thread-check.ts';

// Issue #13 "Done when": two bot processes and three workers share one Postgres without a double
// post. Real `arena start --role bot|worker` children against the Discord emulator; the bot holding
// the gateway is SIGKILLed mid-way and the other takes over the gateway and the delivery.

if (!TEST_DATABASE_URL)
  console.warn('[skip] TEST_DATABASE_URL is not set: the scale-out test needs Postgres');

const IDEAS = [
  'Tool library for a street',
  'Night market for repair cafes',
  'Shared cargo bikes for schools',
];
const LATE_IDEA = 'A seed swap at the bus depot';

interface Proc {
  role: string;
  child: ChildProcess;
  owner: string;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Real SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM; resolves with the exit code once the process is gone. */
  stop(): Promise<number | null>;
}

describe.runIf(TEST_DATABASE_URL)('two bots and three workers on one Postgres', () => {
  let t: TestDatabase;
  let emu: DiscordEmulator;
  let cwd: string;
  const procs: Proc[] = [];
  let sampling = false;

  beforeAll(async () => {
    emu = await startEmulator();
    t = await createTestDatabase('postgres');
    cwd = await mkdtemp(path.join(tmpdir(), 'arena-scale-out-'));
  });
  afterAll(async () => {
    sampling = false;
    await Promise.all(procs.map((p) => p.kill()));
    await emu?.close();
    await t?.dispose();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  // One prefix for this run's processes: they share a bus, and nothing with other files on the test Redis.
  const redisEnv = childRedisEnv();
  function start(role: 'bot' | 'worker'): Proc {
    const env = cleanEnv({
      DATABASE_URL: t.url!,
      // The bus carries the workers' streaming to the bots; without Redis they poll the log only.
      ...redisEnv,
      LLM_PROVIDER: 'offline',
      // Each turn streams for a while, so previews are posted and edited while turns commit.
      OFFLINE_TURN_DELAY_MS: '600',
      DEBATE_ROUNDS: '1',
      // One debate per worker at a time: three debates spread over the three workers.
      ARENA_MAX_DEBATES: '1',
      JOBS: 'off',
      PUBLIC_URL,
      DISCORD_TOKEN: emu.token,
      DISCORD_APPLICATION_ID: emu.seed.applicationId,
      DISCORD_API_URL: emu.apiUrl,
    });
    const child = spawnArena(['start', '--role', role], { cwd, env });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const gone = () => child.exitCode !== null || child.signalCode !== null;
    const p: Proc = {
      role,
      child,
      owner: `${hostname()}:${child.pid}`,
      output: () => out,
      async waitFor(pattern, timeoutMs = 180_000) {
        const deadline = Date.now() + timeoutMs;
        while (!pattern.test(out)) {
          if (gone()) throw new Error(`${role} exited before ${pattern}:\n${out.slice(-3000)}`);
          if (Date.now() > deadline)
            throw new Error(`${role}: timed out waiting for ${pattern}:\n${out.slice(-3000)}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      async kill() {
        if (!gone()) child.kill('SIGKILL');
        await exited;
      },
      async stop() {
        if (!gone()) child.kill('SIGTERM');
        return exited;
      },
    };
    procs.push(p);
    return p;
  }

  async function startDebate(idea: string): Promise<string> {
    const i = emu.invokeCommand({
      // Alice may start debates (Manage Threads).
      user: emu.seed.users.alice,
      channelId: emu.seed.channels.ideas,
      subcommand: 'start',
      options: { idea, rounds: 1 },
    });
    const reply = await emu
      .waitFor(
        () => emu.interactionReply(i.id)?.content.includes('Debate started') && emu.interactionReply(i.id),
        180_000,
        `start reply for "${idea}"`,
      )
      .catch((error) => {
        const said = JSON.stringify(emu.interactionResponses(i.id)).slice(0, 1000);
        throw new Error(`${error.message}; responses: ${said}\n${logs()}`);
      });
    return /<#(\d+)>/.exec(reply.content)![1]!;
  }

  /** The tail of every child's output, for a failure message. */
  const logs = () => procs.map((p) => `--- ${p.role} ${p.owner}\n${p.output().slice(-2500)}`).join('\n');

  const leaderOf = async () =>
    (
      await t.db
        .selectFrom('platform_leaders')
        .select(['owner', 'lease_until'])
        .where('platform', '=', 'discord')
        .executeTakeFirst()
    )?.owner ?? null;

  it('every persona message once and in order; the surviving bot takes over gateway and delivery', async () => {
    const bots = [start('bot'), start('bot')];
    const workers = [start('worker'), start('worker'), start('worker')];
    await Promise.all([...bots, ...workers].map((p) => p.waitFor(new RegExp(`ready: role ${p.role}`))));
    await emu.waitFor(() => emu.gatewayConnections() === 1, 120_000, 'one gateway connection');
    const firstLeader = await until(leaderOf, 'a gateway leader');
    const holder = bots.find((b) => b.owner === firstLeader)!;
    const survivor = bots.find((b) => b !== holder)!;
    expect(holder).toBeDefined();
    // The socket counts from its upgrade, before IDENTIFY: a command sent then reaches no session
    // and is lost (as on Discord). The holder says so once discord.js has READY.
    await holder.waitFor(/gateway connected \(this process holds the lease\)/, 120_000);

    // Which worker runs each debate, sampled all along: one at a time, never two.
    const ranOn = new Map<string, Set<string>>();
    sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rows = await t.db
          .selectFrom('debate_sessions')
          .select(['id', 'lease_owner'])
          .execute()
          .catch(() => []);
        for (const r of rows) {
          if (!r.lease_owner) continue;
          const set = ranOn.get(r.id) ?? new Set();
          set.add(r.lease_owner);
          ranOn.set(r.id, set);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const threads = await Promise.all(IDEAS.map((idea) => startDebate(idea)));
    expect(new Set(threads).size).toBe(3);

    // Mid-way: a few persona posts are in every thread; the bot holding the gateway is killed.
    await emu.waitFor(
      () => threads.every((id) => ownPosts(emu, id).filter((m) => m.webhookId).length >= 3),
      300_000,
      'three persona posts in every thread',
    );
    await holder.kill();
    const killedAt = Date.now();

    // The other bot takes the gateway within a lease period (10 s, plus its renewal interval)...
    await until(async () => (await leaderOf()) === survivor.owner, 'the survivor holds the gateway', 120_000);
    await survivor.waitFor(/gateway connected \(this process holds the lease\)/, 120_000);
    await emu.waitFor(() => emu.gatewayConnections() === 1, 120_000, 'the gateway reconnected');
    // ...answers commands...
    const lateThread = await startDebate(LATE_IDEA);
    const all = [...threads, lateThread];

    const debateIds = await until(async () => {
      const rows = await t.db.selectFrom('chat_threads').select(['thread_id', 'debate_id']).execute();
      return rows.length === all.length && new Map(rows.map((r) => [r.thread_id, r.debate_id]));
    }, 'four bindings');
    for (const id of debateIds.values()) {
      await until(
        async () => {
          const s = await t.db
            .selectFrom('debate_sessions')
            .select('status')
            .where('id', '=', id)
            .executeTakeFirstOrThrow();
          return ['completed', 'cancelled', 'failed'].includes(s.status) && s;
        },
        `debate ${id} to end`,
        600_000,
      );
    }
    // ...and delivers every thread to its end, including the ones the killed bot was delivering.
    await emu.waitFor(
      () =>
        all.every((id) =>
          ownPosts(emu, id).some((m) => /Debate (finished|stopped)/.test(JSON.stringify(m.embeds))),
        ),
      300_000,
      'every end banner',
    );
    sampling = false;
    await sampler;

    const personas = await builtinCatalog();
    const arena = readOnlyArena(t.db, personas);
    for (const threadId of all) {
      const debateId = debateIds.get(threadId)!;
      const detail = (await arena.getDebate(debateId))!;
      expect(detail.status, threadId).toBe('completed');
      await expectThreadMatchesDebate(emu, arena, threadId, debateId, personas);
      const binding = await t.db
        .selectFrom('chat_threads')
        .select('id')
        .where('thread_id', '=', threadId)
        .executeTakeFirstOrThrow();
      const rows = await listOutbox(t.db, binding.id);
      expect(rows.filter((r) => r.status !== 'sent').map((r) => `${r.kind}:${r.status}`)).toEqual([]);
      // Every post the outbox made is on screen once; no preview left over (one would end in " …").
      const remote = rows.flatMap((r) => r.remoteIds);
      expect(new Set(remote).size).toBe(remote.length);
      expect(ownPosts(emu, threadId).filter((m) => m.content.endsWith(' …'))).toEqual([]);
    }
    expect(await t.db.selectFrom('chat_previews').selectAll().execute()).toEqual([]);
    // With the Redis bus the bots streamed previews (edited into their posts or removed): the
    // preview path was exercised, not only the outbox.
    if (TEST_REDIS_URL) {
      // The bots counted Alice's commands under this run's prefix (REDIS_PREFIX), not the default.
      const redis = new Redis(TEST_REDIS_URL);
      try {
        expect(await redis.keys(`${redisEnv.REDIS_PREFIX}limit:*`)).not.toEqual([]);
      } finally {
        redis.disconnect();
      }
      const streamed = all
        .flatMap((id) => emu.messages(id))
        .filter((m) => m.webhookId && m.history.length > 0);
      expect(streamed.length).toBeGreaterThan(0);
    }

    // The survivor delivered the threads the killed bot left: posts appeared after the kill.
    for (const threadId of threads) {
      expect(ownPosts(emu, threadId).some((m) => m.createdAt > killedAt)).toBe(true);
    }
    // Each debate ran on exactly one worker, a live one; the first three on three different workers.
    const workerOwners = new Set(workers.map((w) => w.owner));
    for (const id of debateIds.values()) {
      const owners = [...(ranOn.get(id) ?? [])];
      expect(owners, id).toHaveLength(1);
      expect(workerOwners.has(owners[0]!)).toBe(true);
    }
    const firstThree = threads.map((th) => [...ranOn.get(debateIds.get(th)!)!][0]);
    expect(new Set(firstThree).size).toBe(3);

    // Clean stops: every process still running exits 0.
    const codes = await Promise.all([survivor, ...workers].map((p) => p.stop()));
    expect(codes).toEqual([0, 0, 0, 0]);
  }, 1_200_000);
});
