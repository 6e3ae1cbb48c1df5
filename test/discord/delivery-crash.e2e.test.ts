import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutbox } from '../../db/repositories/chat-outbox.ts';
import type { Database } from '../../db/schema.ts';
import { builtinCatalog } from '../../personas/index.ts';
import type { DiscordEmulator } from '../emulators/discord/index.ts';
import { type ChildDatabase, createChildDatabase } from '../helpers/child-database.ts';
import { TEST_DATABASE_URL } from '../helpers/db.ts';
import { readOnlyArena, smallCast, startEmulator } from './arena-world.ts';
import { type ChildArena, startChild } from './child-arena.ts';
import { expectThreadMatchesDebate, ownPosts } from './thread-check.ts';

// Delivery is a projection of the committed log: whatever a SIGKILL interrupts — a send, a commit's
// wake-up, a streaming preview, the whole bot while the engine finishes — the thread ends up showing
// every committed message once, in turn order, with no preview left behind.
// One dialect is enough here (child processes are slow to start): Postgres when there is one.
const dialect = TEST_DATABASE_URL ? 'postgres' : 'pglite';

describe(`delivery across SIGKILLs of a child arena on ${dialect}`, () => {
  let cdb: ChildDatabase | undefined;
  let emu: DiscordEmulator;
  let child: ChildArena | undefined;
  beforeAll(async () => {
    emu = await startEmulator();
    cdb = await createChildDatabase(dialect, 'arena-delivery-');
  });
  afterAll(async () => {
    await child?.kill();
    await emu?.close();
    await cdb?.dispose();
  });

  const withDb = <T>(fn: (db: Kysely<Database>) => Promise<T>) => cdb!.withDb(fn);

  const env = (extra: Record<string, string>) => ({
    ...cdb!.env,
    DISCORD_API_URL: emu.apiUrl,
    DISCORD_TOKEN: emu.token,
    DISCORD_APP_ID: emu.seed.applicationId,
    SLOW_TURN: '3',
    ...extra,
  });

  it('delivers every post once, in order, after kills at a commit, during a preview and while the bot was down', async () => {
    // 1. Killed the instant a turn is committed: its wake-up never happens.
    child = startChild(env({}));
    await child.waitFor(/^ready$/m);
    let killed: Promise<void> | null = null;
    child.onLine((line) => {
      if (line === 'committed 1') killed ??= child!.kill();
    });
    const i = emu.invokeCommand({
      user: emu.seed.users.alice,
      channelId: emu.seed.channels.ideas,
      subcommand: 'start',
      options: { idea: 'Kill-proof kite rentals', rounds: 1 },
    });
    const reply = await emu.waitFor(
      () => emu.interactionReply(i.id)?.content.includes('Debate started') && emu.interactionReply(i.id),
      60_000,
      'start reply',
    );
    const threadId = /<#(\d+)>/.exec(reply.content)![1]!;
    await child.waitFor(/^committed 1$/m);
    await killed;

    // 2. Killed while turn 3 streams: its preview stays on screen, tracked in the database.
    child = startChild(env({}));
    const preview = await emu.waitFor(
      () =>
        ownPosts(emu, threadId).find(
          (m) => m.webhookId && m.content.startsWith('w0 w1') && m.content.endsWith(' …'),
        ),
      90_000,
      'a streaming preview',
    );
    // Once it has been edited, it is recorded (the record follows the first send).
    const first = preview.content;
    await emu.waitFor(() => emu.message(preview.id)!.content !== first, 30_000, 'a preview edit');
    await child.kill();
    const tracked = await withDb((db) => db.selectFrom('chat_previews').select('remote_id').execute());
    expect(tracked.map((r) => r.remote_id)).toContain(preview.id);

    // 3. The engine alone finishes the debate: its last turns and its end are committed, never queued.
    child = startChild(env({ BOT: '0' }));
    await child.waitFor(/^completed$/m);
    await child.kill();
    const debateId = await withDb(async (db) => {
      const row = await db
        .selectFrom('chat_threads')
        .select('debate_id')
        .where('thread_id', '=', threadId)
        .executeTakeFirstOrThrow();
      const s = await db
        .selectFrom('debate_sessions')
        .select('status')
        .where('id', '=', row.debate_id)
        .executeTakeFirstOrThrow();
      expect(s.status).toBe('completed');
      return row.debate_id;
    });

    // 4. The bot alone: catches up from the log and removes the preview a dead process left.
    child = startChild(env({ RUNNER: '0' }));
    await child.waitFor(/^idle$/m, 120_000);
    await child.kill();

    expect(emu.message(preview.id)!.deleted).toBe(true);
    await withDb(async (db) => {
      const arena = readOnlyArena(db, []);
      await expectThreadMatchesDebate(emu, arena, threadId, debateId, smallCast(await builtinCatalog()));
      const binding = await db
        .selectFrom('chat_threads')
        .select('id')
        .where('thread_id', '=', threadId)
        .executeTakeFirstOrThrow();
      expect((await listOutbox(db, binding.id)).every((r) => r.status === 'sent')).toBe(true);
      expect(await db.selectFrom('chat_previews').selectAll().execute()).toEqual([]);
    });
  }, 400_000);
});
