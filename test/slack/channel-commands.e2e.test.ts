import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { smallCast } from '../discord/arena-world.ts';
import { until } from '../discord/thread-check.ts';
import { type SlackEmulator, startSlackEmulator } from '../emulators/slack/index.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { type SlackInstance, startSlackInstance } from './slack-world.ts';

// `/arena pause|resume|stop|status` typed in a channel (not in a thread) act on the debate most
// recently opened there; that is read from the thread bindings, so a restart does not lose it.
describe.each(testDialects())('typed Slack commands in a channel across a restart on %s', (dialect) => {
  let t: TestDatabase;
  let personas: Persona[];
  let emu: SlackEmulator;
  let instance: SlackInstance | undefined;
  const releases: Array<() => void> = [];
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    personas = smallCast(await builtinCatalog());
    emu = await startSlackEmulator();
    // Creating the database is slow on a busy machine.
  }, 180_000);
  afterAll(async () => {
    for (const r of releases) r();
    await instance?.kill();
    await emu?.close();
    await t.dispose();
  });

  /** A fake model that holds every call, so debates stay active while the test types commands. */
  function heldLlm() {
    const fake = createFakeLlm();
    const hold = fake.hold();
    releases.push(() => hold.release());
    return { fake, hold };
  }

  it('acts on the latest debate of the channel, also after the process restarted', async () => {
    const { ideas, general, alice } = emu.seed;
    const first = heldLlm();
    instance = await startSlackInstance({
      db: t.db,
      emu,
      llm: first.fake,
      personas,
      mode: 'http',
      instanceId: 'a',
    });
    const debateOf = (ts: string) =>
      until(
        () =>
          t.db.selectFrom('chat_threads').select('debate_id').where('thread_id', '=', ts).executeTakeFirst(),
        'binding',
      ).then((r) => r.debate_id);
    await emu.slashCommand({
      user: alice,
      channel: ideas,
      text: 'start Tool library for neighbours rounds:1',
    });
    const older = await debateOf((await emu.waitFor(() => emu.roots(ideas)[0], 20_000, 'first root')).ts);
    await emu.slashCommand({ user: alice, channel: ideas, text: 'start Shared freezer co-op rounds:1' });
    const latest = await debateOf((await emu.waitFor(() => emu.roots(ideas)[1], 20_000, 'second root')).ts);
    await first.hold.next();

    // A new process: nothing in memory about which thread was opened where.
    await instance.kill();
    const second = heldLlm();
    instance = await startSlackInstance({
      db: t.db,
      emu,
      llm: second.fake,
      personas,
      mode: 'http',
      instanceId: 'b',
    });
    const status = async (id: string) => (await instance!.arena.getDebate(id))!.status;
    const type = async (channel: string, text: string) => {
      const r = await emu.slashCommand({ user: alice, channel, text });
      return emu.waitFor(() => emu.responsesFor(r.responseId)[0], 20_000, `answer to ${text}`);
    };

    const paused = await type(ideas, 'pause');
    expect(paused.text).toMatch(/Paused/);
    expect(await status(latest)).toBe('paused');
    expect(await status(older)).toBe('active');

    const shown = await type(ideas, 'status');
    expect(JSON.stringify(shown)).toContain('Shared freezer co-op');

    const resumed = await type(ideas, 'resume');
    expect(resumed.text).toMatch(/Resumed/);
    expect(await status(latest)).toBe('active');

    await type(ideas, 'stop');
    await until(async () => !['active', 'paused'].includes(await status(latest)), 'stopped');
    expect(await status(older)).toBe('active');

    // A channel where no debate was ever opened has nothing to act on (asked by a workspace admin,
    // who may manage any debate).
    const r = await emu.slashCommand({ user: emu.seed.admin, channel: general, text: 'pause' });
    const nothing = await emu.waitFor(() => emu.responsesFor(r.responseId)[0], 20_000, 'answer');
    expect(nothing.response_type).toBe('ephemeral');
    expect(nothing.text).toMatch(/inside a debate thread/);
  });
});
