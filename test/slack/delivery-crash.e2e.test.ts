import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOutbox } from '../../db/repositories/chat-outbox.ts';
import type { Database } from '../../db/schema.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { readOnlyArena, smallCast } from '../discord/arena-world.ts';
import { type ChildArena, startChild } from '../discord/child-arena.ts';
import { type SlackEmulator, startSlackEmulator } from '../emulators/slack/index.ts';
import { type ChildDatabase, createChildDatabase } from '../helpers/child-database.ts';
import { testDialects } from '../helpers/db.ts';
import { expectSlackThreadMatchesDebate, isPreview } from './thread-check.ts';

// Delivery into a Slack thread is a projection of the committed log: whatever a SIGKILL of the real
// child process interrupts — a commit's wake-up, a streaming preview, a random moment, the whole bot
// while the engine finishes — the thread ends up showing every committed message once, in turn
// order, with no preview left behind. The child runs the real Bolt app, in Socket Mode and in HTTP
// mode (/slack/events on its dashboard), against the emulator in this process.
describe.each(testDialects())('Slack delivery across SIGKILLs of a child arena on %s', (dialect) => {
  let cdb: ChildDatabase | undefined;
  let emu: SlackEmulator;
  let child: ChildArena | undefined;
  beforeAll(async () => {
    // Tight per-channel limits: a restarted bot also has to wait out 429s without losing a post.
    emu = await startSlackEmulator({
      rateLimits: { postMessage: { limit: 5, windowMs: 1000 }, update: { limit: 3, windowMs: 1000 } },
    });
    cdb = await createChildDatabase(dialect, 'arena-slack-crash-');
  });
  afterAll(async () => {
    await child?.kill();
    await emu?.close();
    await cdb?.dispose();
  });

  const withDb = <T>(fn: (db: Kysely<Database>) => Promise<T>) => cdb!.withDb(fn);

  /** A child arena with Slack in Socket Mode or in HTTP mode; the emulator follows it. */
  async function start(mode: 'socket' | 'http', extra: Record<string, string> = {}): Promise<ChildArena> {
    const c = startChild({
      ...cdb!.env,
      SLACK_API_URL: emu.apiUrl,
      SLACK_BOT_TOKEN: emu.botToken,
      ...(mode === 'socket'
        ? { SLACK_APP_TOKEN: emu.appToken }
        : { SLACK_SIGNING_SECRET: emu.signingSecret }),
      SLOW_TURN: '3',
      ...extra,
    });
    child = c;
    if (mode === 'http' && extra.BOT !== '0') {
      await c.waitFor(/^listening /m);
      emu.useHttp(/^listening (\S+)$/m.exec(c.output())![1]!);
    } else emu.useSocket();
    return c;
  }

  it('delivers every post once, in order, after kills at a commit, during a preview, at a random moment and while the bot was down', async () => {
    const personaPosts = (rootTs: string) => emu.thread(emu.seed.ideas, rootTs).filter((m) => m.username);

    // 1. Socket Mode, killed the instant a turn is committed: its wake-up never happens.
    let c = await start('socket');
    await c.waitFor(/^ready$/m);
    await emu.waitFor(() => emu.socketConnected(), 30_000, 'socket');
    let killed: Promise<void> | null = null;
    c.onLine((line) => {
      if (line === 'committed 1') killed ??= c.kill();
    });
    const started = await emu.slashCommand({
      user: emu.seed.alice,
      channel: emu.seed.ideas,
      text: 'start Kill-proof kite rentals rounds:1',
    });
    expect(started.status).toBe(200);
    const root = await emu.waitFor(() => emu.roots(emu.seed.ideas)[0], 60_000, 'root card');
    await c.waitFor(/^committed 1$/m);
    await killed;

    // 2. HTTP mode, killed while turn 3 streams: its preview stays on screen, tracked in the database.
    c = await start('http');
    const preview = await emu.waitFor(
      () => personaPosts(root.ts).find((m) => m.text.startsWith('w0 w1') && isPreview(m)),
      120_000,
      'a streaming preview',
    );
    // Once it has been edited, it is recorded (the record follows the first send).
    await emu.waitFor(() => preview.history.length > 1, 60_000, 'a preview edit');
    await c.kill();
    const tracked = await withDb((db) => db.selectFrom('chat_previews').select('remote_id').execute());
    expect(tracked.map((r) => r.remote_id)).toContain(preview.ts);

    // 3. Socket Mode, killed at a random moment of the debate's middle (the seed is in the title).
    c = await start('socket');
    await c.waitFor(/^ready$/m);
    const waitMs = Math.floor(Math.random() * 3000);
    await new Promise((r) => setTimeout(r, waitMs));
    await c.kill();

    // 4. The engine alone finishes the debate: its last turns and its end are committed, never queued.
    c = await start('socket', { BOT: '0' });
    await c.waitFor(/^completed$/m, 180_000);
    await c.kill();

    // 5. The bot alone (HTTP mode): catches up from the log and removes the preview a dead process left.
    c = await start('http', { RUNNER: '0' });
    await c.waitFor(/^idle$/m, 180_000);
    await c.kill();

    expect(preview.deleted, 'the killed preview is removed').toBe(true);
    await withDb(async (db) => {
      const binding = await db
        .selectFrom('chat_threads')
        .select(['id', 'debate_id'])
        .where('thread_id', '=', root.ts)
        .executeTakeFirstOrThrow();
      const arena = readOnlyArena(db, smallCast(await builtinCatalog()));
      const detail = (await arena.getDebate(binding.debate_id))!;
      expect(detail.status).toBe('completed');
      expect(detail.messages.filter((m) => m.authorKind === 'persona').length).toBeGreaterThan(6);
      expectSlackThreadMatchesDebate(emu, root.ts, detail);
      expect((await listOutbox(db, binding.id)).every((r) => r.status === 'sent')).toBe(true);
      expect(await db.selectFrom('chat_previews').selectAll().execute()).toEqual([]);
    }).catch((error: Error) => {
      error.message += ` (random kill after ${waitMs} ms)`;
      throw error;
    });
    // Nothing outside the thread: the root card is the app's only top-level post.
    expect(emu.roots(emu.seed.ideas)).toHaveLength(1);
  }, 600_000);
});
