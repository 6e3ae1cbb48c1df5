import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../personas/index.ts';
import { startEmulator } from '../discord/arena-world.ts';
import { autoDebateBinding, expectFinishedThread, until } from '../discord/thread-check.ts';
import type { DiscordEmulator } from '../emulators/discord/index.ts';
import { discordEnv, startTestApp, type TestApp } from '../helpers/arena-app.ts';

const IDEA = 'Repair café booking for neighbourhoods';

// `debate.auto` as `arena start` wires it (AUTO_DEBATE_CHANNEL on a running Discord): the real
// discord.js client opens the thread in the emulator and the debate's persona posts follow there.
describe('debate.auto on Discord', { timeout: 300_000 }, () => {
  let emu: DiscordEmulator;
  let app: TestApp | undefined;

  beforeAll(async () => {
    emu = await startEmulator();
    app = await startTestApp({
      ...discordEnv(emu),
      // Not scheduled (JOBS=off): the test runs the job itself, as the dashboard's `run` does.
      DEBATE_ROUNDS: '1',
      AUTO_DEBATE_CHANNEL: `discord:${emu.seed.guildId}/${emu.seed.channels.ideas}`,
    });
  });
  afterAll(async () => {
    await app?.close();
    await emu?.close();
  });

  it('opens a thread in the configured channel and the debate of the top pending idea is posted there', async () => {
    const ctx = app!.running.context;
    await emu.waitFor(() => emu.gatewayConnections() > 0, 60_000, 'discord gateway');
    const added = await ctx.arena.addIdea({ title: IDEA, by: 'test' });
    expect(added.ok).toBe(true);
    expect(emu.threads).toEqual([]);

    const res = await fetch(`${app!.running.dashboardUrl}/api/jobs/debate.auto/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(202);

    const binding = await autoDebateBinding(ctx.database.db);
    expect(binding.platform).toBe('discord');
    expect(binding.channel_id).toBe(emu.seed.channels.ideas);
    // The thread exists in the emulator, under the configured channel, named after the idea.
    expect(emu.threads).toHaveLength(1);
    expect(emu.threads[0]).toMatchObject({ id: binding.thread_id, parentId: emu.seed.channels.ideas });
    expect(emu.threads[0]!.name).toContain(IDEA);

    await until(
      async () => {
        const d = await ctx.arena.getDebate(binding.debate_id);
        return d && ['completed', 'cancelled', 'failed'].includes(d.status);
      },
      'debate end',
      240_000,
    );
    const debate = (await ctx.arena.getDebate(binding.debate_id))!;
    expect(debate.status).toBe('completed');
    expect(debate.title).toContain(IDEA);
    // Every committed turn is in the thread, in order, each persona under its name and avatar.
    await expectFinishedThread(emu, ctx.arena, binding, await builtinCatalog());
  });
});
