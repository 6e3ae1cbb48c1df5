import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedArena, registerDebateCommands } from '../../app/commands/debate.ts';
import { TryLaterFailure } from '../../app/errors.ts';
import { createDashboard } from '../../dashboard/server.ts';
import { createArena } from '../../engine/arena.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import { DebateRefusedError } from '../../engine/debate/errors.ts';
import { createLlmRouter, type LlmRouter } from '../../engine/llm/router/router.ts';
import type { ChatResult, LlmProvider } from '../../engine/llm/types.ts';
import { silentLogger } from '../../engine/log.ts';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { committingBus, startBot } from '../bot/harness.ts';
import { createMemoryPlatform } from '../bot/memory-platform.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';

/** A model whose calls wait until released: they fill the router's queue for as long as the test needs. */
function heldProvider() {
  const pending: Array<() => void> = [];
  const provider: LlmProvider = {
    name: 'fake',
    models: async () => [],
    async chat(req): Promise<ChatResult> {
      await new Promise<void>((r) => pending.push(r));
      return { text: 'ok', model: req.model, provider: 'fake', promptTokens: 1, completionTokens: 1, ms: 0 };
    },
  };
  return {
    provider,
    releaseAll: () => {
      for (const release of pending.splice(0)) release();
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

// Every way a debate starts asks the router first: a full model queue refuses with a reason, creates nothing.
describe.each(testDialects())('a full LLM queue refuses new debates on %s', (dialect) => {
  let t: TestDatabase;
  let personas: readonly Persona[];
  let router: LlmRouter;
  let held: ReturnType<typeof heldProvider>;
  let filling: Array<Promise<unknown>>;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    personas = await builtinCatalog();
    held = heldProvider();
    // One call runs, two wait: the queue (limit 2) is full.
    router = createLlmRouter({ provider: held.provider, concurrency: 1, limits: { maxQueued: 2 } });
    filling = ['a', 'b', 'c'].map((d) =>
      router.chat({ model: 'm', messages: [{ role: 'user', content: d }], route: { debateId: d } }),
    );
    await settle();
    expect(router.admit()).toMatchObject({ ok: false, reason: 'llm_queue_full' });
  });
  afterAll(async () => {
    held.releaseAll();
    await Promise.allSettled(filling);
    await t.dispose();
  });

  function engine() {
    const bus = committingBus(t.db, createMemoryBus());
    const { arena, runner } = createArena({
      db: t.db,
      llm: router,
      bus,
      clock: { now: () => new Date() },
      personas,
      log: silentLogger,
      instanceId: 'admission-test',
      admit: () => router.admit(),
    });
    return { arena, runner, bus };
  }

  it('the engine call throws DebateRefusedError and creates no debate or idea', async () => {
    const { arena } = engine();
    const before = await t.db
      .selectFrom('ideas')
      .select((e) => e.fn.countAll().as('n'))
      .executeTakeFirst();
    const error = await arena.startDebate({ idea: 'A marketplace for idle GPUs', origin: 'test' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DebateRefusedError);
    expect((error as DebateRefusedError).code).toBe('llm_queue_full');
    expect((error as DebateRefusedError).message).toMatch(/busy: 2 model calls are waiting/);
    expect((error as DebateRefusedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((await arena.admit()).ok).toBe(false);
    expect(await arena.listDebates()).toHaveLength(0);
    const after = await t.db
      .selectFrom('ideas')
      .select((e) => e.fn.countAll().as('n'))
      .executeTakeFirst();
    expect(Number(after?.n)).toBe(Number(before?.n));
  });

  it('dashboard POST /api/debates answers 503 llm_queue_full with Retry-After, in the JSON error shape', async () => {
    const { arena, bus } = engine();
    const dashboard = createDashboard({
      arena,
      bus,
      db: t.db,
      config: {
        host: '127.0.0.1',
        port: 0,
        publicUrl: 'http://127.0.0.1:3000',
        version: '0.1.0',
        codename: 'test',
        dialect: t.dialect,
      },
      components: () => [],
      log: silentLogger,
      clock: { now: () => new Date() },
    });
    try {
      const res = await dashboard.handle(
        new Request('http://127.0.0.1:3000/api/debates', {
          method: 'POST',
          headers: { host: '127.0.0.1:3000', 'content-type': 'application/json' },
          body: JSON.stringify({ idea: 'A marketplace for idle GPUs' }),
        }),
        { remoteAddress: '127.0.0.1' },
      );
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('llm_queue_full');
      expect(body.error.message).toMatch(/model calls are waiting/);
      expect(await arena.listDebates()).toHaveLength(0);
    } finally {
      await dashboard.close();
    }
  });

  it('chat /arena start gets a private refusal and opens no thread', async () => {
    const { arena, bus } = engine();
    const mem = createMemoryPlatform();
    const bot = startBot({ platform: mem.platform, arena, bus, db: t.db, personas });
    await bot.start();
    try {
      const out = await mem.command({
        subcommand: 'start',
        options: { idea: 'A marketplace for idle GPUs' },
      });
      expect(out.replies).toHaveLength(1);
      // ok: false is what every platform shows only to the person who asked (ephemeral).
      expect(out.replies[0]!.ok).toBe(false);
      expect(out.replies[0]!.text).toMatch(
        /too busy to start a debate now .*model calls are waiting.*Try again in about \d+ s/,
      );
      expect(mem.threads).toHaveLength(0);
      expect(mem.posts).toHaveLength(0);
      expect(await arena.listDebates()).toHaveLength(0);
    } finally {
      await bot.stop();
    }
  });

  it('arena debate exits 75 with one line saying why and when to retry', async () => {
    const { arena, runner, bus } = engine();
    let printed = '';
    const program = new Command('arena').exitOverride();
    registerDebateCommands(program, {
      out: {
        write: (s: string) => {
          printed += s;
        },
        isTTY: false,
      },
      env: {},
      async open(): Promise<OpenedArena> {
        return { arena, runner, bus, close: () => runner.stop() };
      },
    });
    const error = await program
      .parseAsync(['debate', 'A marketplace for idle GPUs', '--json'], { from: 'user' })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(TryLaterFailure);
    expect((error as TryLaterFailure).exitCode).toBe(75);
    expect((error as Error).message).toMatch(/^the arena is busy: .*try again in about \d+ s$/);
    expect((error as Error).message).not.toContain('\n');
    expect(printed).not.toContain('debate.created');
    expect(await arena.listDebates()).toHaveLength(0);
  });

  it('once the queue drains, the same start is admitted', async () => {
    held.releaseAll();
    await settle();
    held.releaseAll();
    await settle();
    held.releaseAll();
    await Promise.all(filling);
    expect(router.admit()).toEqual({ ok: true });
    const { arena, runner } = engine();
    const started = await arena.startDebate({ idea: 'A marketplace for idle GPUs', origin: 'test' });
    expect(started.debateId).toMatch(/[0-9a-f-]{36}/);
    await runner.stop();
  });
});
