import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import type { DiscordEmulator } from '../emulators/discord/index.ts';
import { createFakeLlm, type FakeLlm } from '../fakes/fake-llm.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import {
  type ArenaInstance,
  droppingBus,
  readOnlyArena,
  smallCast,
  startEmulator,
  startInstance,
} from './arena-world.ts';
import {
  expectNoticesInLogOrder,
  expectThreadMatchesDebate,
  ownPosts,
  startDebateInChannel,
  until,
} from './thread-check.ts';

// Pause and resume notices are part of the committed log (debate_notices): a thread gets them from
// there, so one whose event never reached the bot — dropped on the bus, or sent while no bot ran —
// still shows each once, where it happened among the messages.
describe.each(testDialects())('pause and resume notices in a Discord thread on %s', (dialect) => {
  let t: TestDatabase;
  let personas: Persona[];
  let emu: DiscordEmulator;
  let instance: ArenaInstance | undefined;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    personas = smallCast(await builtinCatalog());
    emu = await startEmulator();
  });
  // A failed test must not leave its arena running into the next one.
  afterEach(async () => {
    await instance?.kill();
    instance = undefined;
  });
  afterAll(async () => {
    await emu?.close();
    await t.dispose();
  });

  /** Starts a debate from the channel; its thread and debate once two persona posts are in. */
  async function startDebate(idea: string) {
    const { threadId, debateId } = await startDebateInChannel(emu, t.db, idea);
    await emu.waitFor(
      () => ownPosts(emu, threadId).filter((m) => m.webhookId).length >= 2,
      30_000,
      'two persona posts',
    );
    return { threadId, debateId };
  }

  const shows = (threadId: string, mark: string) =>
    ownPosts(emu, threadId).filter((m) => m.content.startsWith(mark)).length;

  async function finish(debateId: string, threadId: string) {
    await until(
      async () => {
        const d = await instance!.arena.getDebate(debateId);
        return d && d.status !== 'active' && d.status !== 'paused' && d;
      },
      'debate end',
      90_000,
    );
    await instance!.discord.bot.idle();
    expect((await instance!.arena.getDebate(debateId))!.status).toBe('completed');
    await expectThreadMatchesDebate(emu, instance!.arena, threadId, debateId, personas);
    const shown = await expectNoticesInLogOrder(emu, t.db, threadId, debateId);
    expect(shown.filter((s) => s !== 'message')).toEqual(['paused', 'resumed']);
  }

  it('posts notices whose events the bot never heard, once, in commit order', async () => {
    const fake: FakeLlm = createFakeLlm();
    instance = await startInstance({
      db: t.db,
      emu,
      llm: fake,
      personas,
      // The bot hears every event but these: only the log tells it of the pause and the resume.
      botBus: (bus) => droppingBus(bus, (e) => e.type === 'debate.paused' || e.type === 'debate.resumed'),
    });
    // The first two turns go through (the two posts startDebate waits for); the third is held, so an
    // instant fake cannot finish the debate before the pause.
    const hold = fake.hold({ after: 2 });
    const { threadId, debateId } = await startDebate('Notices from the log');
    // Paused with a turn in flight: that turn still commits, after the notice.
    await hold.next();
    expect(await instance.arena.pause(debateId)).toEqual({ ok: true });
    hold.release();
    await emu.waitFor(() => shows(threadId, '⏸️') === 1, 20_000, 'the pause notice');
    expect(await instance.arena.resume(debateId)).toEqual({ ok: true });
    await finish(debateId, threadId);
  }, 150_000);

  it('posts a pause made while no bot ran, when a bot starts, then the resume, once each', async () => {
    const fake = createFakeLlm();
    const start = () => startInstance({ db: t.db, emu, llm: fake, personas, instanceId: 'notices-b' });
    instance = await start();
    // Held after two turns: the debate is still running when its bot goes away.
    const hold = fake.hold({ after: 2 });
    const { threadId, debateId } = await startDebate('Notices across a restart');
    await instance.kill();
    // Nobody listens: the pause is only in the log.
    expect(await readOnlyArena(t.db, personas).pause(debateId)).toEqual({ ok: true });
    instance = await start();
    await emu.waitFor(() => shows(threadId, '⏸️') === 1, 20_000, 'the pause notice after the restart');
    hold.release();
    expect(await instance.arena.resume(debateId)).toEqual({ ok: true });
    await finish(debateId, threadId);
    expect(fake.calls.slice(0, 2).map((c) => c.meta?.task)).toEqual(['turn', 'turn']);
  }, 150_000);
});
