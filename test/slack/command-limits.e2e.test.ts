import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatLimits } from '../../bot/limits/chat-limits.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { smallCast } from '../discord/arena-world.ts';
import { boundDebate } from '../discord/thread-check.ts';
import { type SlackEmulator, startSlackEmulator } from '../emulators/slack/index.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { chatWorld } from '../helpers/chat-world.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { type SlackInstance, startSlackInstance } from './slack-world.ts';

const SLOW_DOWN =
  /Slow down: at most 3 \/arena commands and buttons a minute per person\. Try again in \d+ s\./;

// #13: a person who spams `/arena` or the card's buttons is answered privately and nothing runs.
describe.each(testDialects())('per-person command limits on Slack through Bolt on %s', (dialect) => {
  const world = chatWorld(dialect, () => startSlackEmulator());

  it('answers the fourth command or button of a minute with "slow down" and runs nothing', async () => {
    const { t, emu, personas } = world;
    const fake = createFakeLlm();
    const limits = createChatLimits({ settings: { commandsPerMinute: 3, messagesPerMinute: 5 } });
    const instance = await startSlackInstance({ db: t.db, emu, llm: fake, personas, mode: 'http', limits });
    world.cleanup(() => instance.kill());
    const { alice, bob, ideas } = emu.seed;
    const hold = fake.hold();
    world.cleanup(() => hold.release());
    const type = async (user: string, text: string) => {
      const r = await emu.slashCommand({ user, channel: ideas, text });
      return emu.waitFor(() => emu.responsesFor(r.responseId)[0], 20_000, `answer to ${text}`);
    };

    await emu.slashCommand({ user: alice, channel: ideas, text: 'start Repair café for bicycles rounds:1' });
    const root = await emu.waitFor(() => emu.roots(ideas)[0], 20_000, 'root card');
    const debateId = await boundDebate(t.db, root.ts);
    await hold.next();
    expect((await type(alice, 'status')).text).toContain('Repair café for bicycles');
    expect((await type(alice, 'budget')).text).not.toMatch(/Slow down/);

    // The fourth: `stop` of her own debate is refused, privately; the debate runs on.
    const stop = await type(alice, 'stop');
    expect(stop.response_type).toBe('ephemeral');
    expect(stop.text).toMatch(SLOW_DOWN);
    // So is the card's Pause button, and another start.
    const pressed = await emu.clickButton({
      user: alice,
      channel: ideas,
      messageTs: root.ts,
      actionId: 'arena_pause',
    });
    const refusal = await emu.waitFor(() => emu.responsesFor(pressed.responseId)[0], 20_000, 'button answer');
    expect(refusal.response_type).toBe('ephemeral');
    expect(refusal.text).toMatch(SLOW_DOWN);
    const again = await type(alice, 'start Seed library at the school');
    expect(again.text).toMatch(SLOW_DOWN);
    expect(emu.roots(ideas)).toHaveLength(1);
    expect(await instance.arena.listDebates()).toHaveLength(1);
    expect((await instance.arena.getDebate(debateId))!.status).toBe('active');

    // Per person: Bob is answered as usual.
    expect((await type(bob, 'status')).text).toContain('Repair café for bicycles');
  });
});

// Several bot processes count one person together through Redis (CHAT_* limits with REDIS_URL).
const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl) console.log('skipping the shared Slack command limit: TEST_REDIS_URL is not set');
describe.skipIf(!redisUrl)('a command limit shared by two Slack bot processes through Redis', () => {
  let t: TestDatabase;
  let emu: SlackEmulator;
  const instances: SlackInstance[] = [];
  const clients: Redis[] = [];
  beforeAll(async () => {
    t = await createTestDatabase(testDialects()[0]!);
    emu = await startSlackEmulator();
  }, 180_000);
  afterAll(async () => {
    for (const i of instances) await i.kill();
    for (const c of clients) c.disconnect();
    await emu?.close();
    await t?.dispose();
  });

  it('refuses the fourth command whichever process it reaches', async () => {
    const personas = smallCast(await builtinCatalog());
    // One prefix for this run: the two processes share it, other runs on this Redis do not.
    const prefix = `arena:test:${randomUUID()}:`;
    for (const id of ['a', 'b']) {
      const store = new Redis(redisUrl!, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        lazyConnect: true,
      });
      await store.connect();
      clients.push(store);
      const limits = createChatLimits({
        settings: { commandsPerMinute: 3, messagesPerMinute: 5 },
        store,
        prefix,
      });
      instances.push(
        await startSlackInstance({
          db: t.db,
          emu,
          llm: createFakeLlm(),
          personas,
          mode: 'socket',
          instanceId: id,
          limits,
        }),
      );
    }
    await emu.waitFor(() => emu.socketConnections() === 2, 60_000, 'two Socket Mode connections');
    const { alice, ideas } = emu.seed;
    const answers: Array<{ text: string; connection: unknown }> = [];
    for (let n = 0; n < 5; n++) {
      const r = await emu.slashCommand({ user: alice, channel: ideas, text: 'budget' });
      const reply = await emu.waitFor(() => emu.responsesFor(r.responseId)[0], 20_000, 'answer');
      answers.push({ text: String(reply.text), connection: r.connection });
    }
    // Each process saw at most three of them, so only a shared count refuses the fourth and fifth.
    expect(new Set(answers.map((a) => a.connection)).size).toBe(2);
    expect(answers.map((a) => SLOW_DOWN.test(a.text))).toEqual([false, false, false, true, true]);
  });
});
