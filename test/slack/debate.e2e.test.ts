import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { smallCast } from '../discord/arena-world.ts';
import { until } from '../discord/thread-check.ts';
import { type SlackEmulator, startSlackEmulator } from '../emulators/slack/index.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { PUBLIC_URL, type SlackInstance, startSlackInstance } from './slack-world.ts';

// Model text that would ping the channel, a user, and smuggle a link if it were not escaped.
const HOSTILE = 'Ping <!channel> and <@U123>, see <https://x|y> & more.';

describe.each(testDialects())('Slack debate threads on %s', (dialect) => {
  let t: TestDatabase;
  let personas: Persona[];
  let emu: SlackEmulator | undefined;
  let instance: SlackInstance | undefined;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    personas = smallCast(await builtinCatalog());
  });
  afterEach(async () => {
    await instance?.kill();
    await emu?.close();
    instance = undefined;
    emu = undefined;
  });
  afterAll(() => t.dispose());

  async function runDebate(mode: 'http' | 'socket') {
    emu = await startSlackEmulator();
    const llm = createFakeLlm({
      respond: (req) => (req.metadata?.task === 'turn' && req.metadata.turnIndex === 1 ? HOSTILE : undefined),
    });
    instance = await startSlackInstance({ db: t.db, emu, llm, personas, mode });
    if (mode === 'socket') await emu.waitFor(() => emu!.socketConnected(), 20_000, 'socket');
    const started = await emu.slashCommand({
      user: emu.seed.alice,
      channel: emu.seed.ideas,
      text: 'start A marketplace for idle GPUs rounds:1',
    });
    expect(started.status).toBe(200);
    const root = await emu.waitFor(() => emu!.roots(emu!.seed.ideas)[0], 20_000, 'root card');
    const reply = await emu.waitFor(() => emu!.responsesFor(started.responseId)[0], 20_000, 'reply');
    expect(reply.text).toContain('Debate started');
    expect(reply.text).toContain(
      `<https://arena-emu.slack.com/archives/${emu.seed.ideas}/p${root.ts.replace('.', '')}|`,
    );
    const binding = await until(
      () =>
        t.db
          .selectFrom('chat_threads')
          .select('debate_id')
          .where('thread_id', '=', root.ts)
          .executeTakeFirst(),
      'binding',
    );
    await until(async () => {
      const d = await instance!.arena.getDebate(binding.debate_id);
      return d && ['completed', 'cancelled', 'failed'].includes(d.status);
    }, 'debate end');
    await instance.slack.bot.idle();
    return { root, debateId: binding.debate_id };
  }

  for (const mode of ['http', 'socket'] as const) {
    it(`runs /arena start to the end in a thread with persona identities (${mode})`, async () => {
      const { root, debateId } = await runDebate(mode);
      const e = emu!;
      // The root is the bot's own card with the buttons.
      expect(root.bot_id).toBe(e.state.botId);
      expect(root.username).toBeUndefined();
      expect(JSON.stringify(root.blocks)).toContain('arena_pause');
      const detail = (await instance!.arena.getDebate(debateId))!;
      expect(detail.status).toBe('completed');
      const replies = e.thread(e.seed.ideas, root.ts).slice(1);
      // Every committed persona message is in the thread, in order, under its name and avatar.
      const personaPosts = replies.filter((m) => m.username);
      const committed = detail.messages.filter((m) => m.authorKind === 'persona');
      expect(personaPosts.length).toBeGreaterThanOrEqual(committed.length);
      const byName = new Map(personas.map((p) => [p.name, p]));
      for (const post of personaPosts) {
        const p = byName.get(post.username!);
        expect(p, post.username).toBeDefined();
        expect(post.icon_url).toBe(`${PUBLIC_URL}/avatars/${p!.id}.png`);
        expect(post.thread_ts).toBe(root.ts);
      }
      const names = committed.map((m) => m.agentName);
      const seen = personaPosts.map((m) => m.username);
      let i = 0;
      for (const n of seen) if (n === names[i]) i++;
      expect(i).toBe(names.length);
      // Phase banners (the bot's cards) for every phase, and an end banner.
      const banners = replies.filter((m) => !m.username && m.blocks);
      expect(banners.length).toBeGreaterThanOrEqual(3);
      // Hostile model text arrives escaped: no broadcast, no mention, no link.
      const hostile = personaPosts.find((m) => m.text.includes('Ping'))!;
      expect(hostile.text).toBe(
        'Ping &lt;!channel&gt; and &lt;@U123&gt;, see &lt;https://x|y&gt; &amp; more.',
      );
      for (const m of replies) expect(m.text).not.toMatch(/<!channel>|<@U123>|<https:\/\/x\|y>/);
    });
  }
});
