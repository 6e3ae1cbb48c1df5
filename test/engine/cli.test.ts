import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedArena, registerDebateCommands } from '../../app/commands/debate.ts';
import { UsageError } from '../../app/errors.ts';
import { createArena } from '../../engine/arena.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import type { ArenaEvent } from '../../engine/events.ts';
import { createOfflineProvider } from '../../engine/llm/offline.ts';
import { silentLogger } from '../../engine/log.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('arena debate / arena debates', () => {
  let t: TestDatabase;
  const opened: Array<{ provider?: string }> = [];
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
  });
  afterAll(() => t.dispose());

  /** Runs the commands in memory with an arena on the test database, as the lead's open() would build it. */
  async function cli(args: string[], io: { isTTY?: boolean; env?: Record<string, string> } = {}) {
    let text = '';
    const program = new Command('arena').exitOverride();
    const personas = await builtinCatalog();
    registerDebateCommands(program, {
      out: {
        write: (s: string) => {
          text += s;
        },
        isTTY: io.isTTY ?? false,
      },
      env: io.env ?? {},
      async open(opts): Promise<OpenedArena> {
        opened.push(opts);
        const bus = createMemoryBus();
        const { arena, runner } = createArena({
          db: t.db,
          llm: createOfflineProvider({ personas }),
          bus,
          clock: createFixedClock(),
          personas,
          log: silentLogger,
          instanceId: 'cli-test',
        });
        return { arena, runner, bus, close: () => runner.stop() };
      },
    });
    await program.parseAsync(args, { from: 'user' });
    return text;
  }

  let debateId = '';

  it('runs a whole offline debate and prints one JSON event per line', async () => {
    const out = await cli(['debate', 'a wallet app for DAOs', '--provider', 'offline', '--json']);
    expect(opened.at(-1)).toEqual({ provider: 'offline' });
    const events = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ArenaEvent);
    expect(events[0]).toMatchObject({
      type: 'debate.created',
      title: 'a wallet app for DAOs',
      origin: 'cli',
    });
    const phases = events.flatMap((e) => (e.type === 'phase.changed' ? [e.phase] : []));
    expect([...new Set(phases)]).toEqual(['divergence', 'convergence', 'planning']);
    expect(events.some((e) => e.type === 'message.delta')).toBe(true);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: 'debate.completed', status: 'completed', outcome: 'selected' });
    debateId = (done as Extract<ArenaEvent, { type: 'debate.completed' }>).debateId;
  });

  it('streams coloured persona lines with progress on a terminal, plain text otherwise', async () => {
    const tty = await cli(['debate', 'a tutoring marketplace', '--rounds', '1', '--provider', 'offline'], {
      isTTY: true,
    });
    expect(tty).toMatch(/\x1b\[38;2;\d+;\d+;\d+m● /);
    expect(tty).toContain('━━ Divergence · round 1/1 ━━');
    expect(tty).toMatch(/\[Divergence 1\/1 · [\d,]+ tokens · \$0\.0000\]/);
    expect(tty).toContain('Final plan');

    const plain = await cli(['debate', 'a tutoring marketplace', '--rounds', '1', '--provider', 'offline'], {
      isTTY: true,
      env: { NO_COLOR: '1' },
    });
    expect(plain).not.toContain('\x1b[');
    expect(plain).toMatch(/● \S+ \S+ \(@\w+\) · propose/);
    expect(plain).toMatch(/: selected\n/);
  });

  it('lists, shows and exports debates', async () => {
    const list = JSON.parse(await cli(['debates', 'list', '--json'])) as Array<{ id: string; title: string }>;
    expect(list.map((d) => d.id)).toContain(debateId);
    const listed = await cli(['debates', 'list']);
    expect(listed).toContain(`${debateId}  completed/selected`);
    // The planning phase's real count (every section and the final plan), not the divergence rounds.
    const row = listed.split('\n').find((l) => l.startsWith(debateId))!;
    const detail = JSON.parse(await cli(['debates', 'show', debateId, '--json'])) as {
      messages: Array<{ type: string }>;
    };
    const sections = detail.messages.filter((m) => m.type === 'plan').length;
    expect(sections).toBeGreaterThan(2);
    expect(row).toContain(`planning · sections ${sections}/${sections}`);
    expect(await cli(['debates', 'show', debateId])).toContain('Final plan');

    const md = await cli(['debates', 'export', debateId, '--format', 'md']);
    expect(md).toMatch(/^# a wallet app for DAOs\n/);
    expect(md).toContain('### Divergence · round 1');
    expect(md).toContain('### Convergence');
    expect(md).toContain('<a id="m-0"></a>');
    expect(md).toMatch(/↳ replies to \[#\d+ [^\]]+\]\(#m-\d+\)/);
    expect(md).toMatch(/_verdict_ · \*\*\d+\/10\*\*/);
    expect(md).toContain('## Plan: a wallet app for DAOs');
    expect(md).toContain('### Final plan');
    const json = JSON.parse(await cli(['debates', 'export', debateId, '--format', 'json']));
    expect(json).toMatchObject({
      id: debateId,
      status: 'completed',
      plan: { finalPlan: expect.any(String) },
    });
  });

  it('refuses bad usage with a UsageError', async () => {
    await expect(cli(['debate', 'x y z', '--rounds', '0'])).rejects.toBeInstanceOf(UsageError);
    await expect(cli(['debate', 'x y z', '--lang', 'fr'])).rejects.toThrow(/--lang/);
    await expect(cli(['debate', 'x', '--provider', 'offline'])).rejects.toBeInstanceOf(UsageError);
    await expect(cli(['debates', 'show', 'nope'])).rejects.toThrow(/no debate with id nope/);
    await expect(cli(['debates', 'export', debateId, '--format', 'pdf'])).rejects.toThrow(/--format/);
  });
});
