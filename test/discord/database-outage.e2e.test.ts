import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../db/connect.ts';
import { listOutbox } from '../../db/repositories/chat-outbox.ts';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import type { DiscordEmulator } from '../emulators/discord/index.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/db.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { type ArenaInstance, slowTurn, smallCast, startEmulator, startInstance } from './arena-world.ts';
import { expectThreadMatchesDebate, startDebateInChannel, until } from './thread-check.ts';

// The bot loses its database for longer than any retry of an event (7 s) while the engine keeps
// committing turns: the thread must still show every message once, in turn order.
const run = TEST_DATABASE_URL ? describe : describe.skip;
if (!TEST_DATABASE_URL)
  console.warn('[skip] TEST_DATABASE_URL is not set: the database outage test needs Postgres');

run('a database outage during Discord delivery', () => {
  let t: TestDatabase;
  let proxy: TcpProxy;
  let botDb: DatabaseHandle;
  let personas: Persona[];
  let emu: DiscordEmulator;
  let instance: ArenaInstance | undefined;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    const url = new URL(t.url!);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    botDb = await connectDatabase({ databaseUrl: url.toString(), maxConnections: 4 });
    personas = smallCast(await builtinCatalog());
    emu = await startEmulator();
  });
  afterAll(async () => {
    await instance?.kill();
    await botDb?.close();
    await proxy?.close();
    await emu?.close();
    await t?.dispose();
  });

  it('loses and reorders nothing when the bot cannot reach Postgres for 7 s mid-debate', async () => {
    instance = await startInstance({
      db: t.db,
      botDb: botDb.db,
      emu,
      // Slow enough that the debate is still running when the link comes back.
      llm: slowTurn(createFakeLlm(), 'all', 30),
      personas,
    });
    const { threadId, debateId } = await startDebateInChannel(emu, t.db, 'Outage-proof oyster farming');
    await until(
      async () => (await instance!.arena.getDebate(debateId))!.messages.length >= 1 || null,
      'a first turn',
    );
    proxy.cut();
    const before = (await instance.arena.getDebate(debateId))!.messages.length;
    await new Promise((r) => setTimeout(r, 7_000));
    // The engine went on committing while the bot was cut off.
    expect((await instance.arena.getDebate(debateId))!.messages.length).toBeGreaterThan(before);
    proxy.restore();

    await until(
      async () => {
        const d = await instance!.arena.getDebate(debateId);
        return d && d.status !== 'active' && d.status !== 'paused' && d;
      },
      'debate end',
      90_000,
    );
    await instance.discord.bot.idle();
    await expectThreadMatchesDebate(emu, instance.arena, threadId, debateId, personas);
    const binding = await t.db
      .selectFrom('chat_threads')
      .select('id')
      .where('thread_id', '=', threadId)
      .executeTakeFirstOrThrow();
    expect((await listOutbox(t.db, binding.id)).every((r) => r.status === 'sent')).toBe(true);
  }, 180_000);
});
