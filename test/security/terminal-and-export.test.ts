import { Command } from 'commander';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedArena, registerDebateCommands } from '../../app/commands/debate.ts';
import type { DebateDetailView } from '../../engine/api.ts';
import { createArena } from '../../engine/arena.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import { exportDebateMarkdown } from '../../engine/debate/export.ts';
import { createOfflineProvider } from '../../engine/llm/offline.ts';
import { silentLogger } from '../../engine/log.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const PWNED = 'A wallet for DAOs \x1b[2J\x1b]0;PWNED\x07 with <script>alert(1)</script>';
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('hostile text at the terminal and in exports', () => {
  let t: TestDatabase;
  let out = '';
  let opened: OpenedArena | null = null;
  const program = new Command('arena').exitOverride();
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
    const personas = await builtinCatalog();
    registerDebateCommands(program, {
      out: {
        write: (s: string) => {
          out += s;
        },
        isTTY: true,
      },
      env: {},
      async open(): Promise<OpenedArena> {
        const bus = createMemoryBus();
        const { arena, runner } = createArena({
          db: t.db,
          llm: createOfflineProvider({ personas }),
          bus,
          clock: createFixedClock(),
          personas,
          log: silentLogger,
          instanceId: 'security-test',
        });
        opened = { arena, runner, bus, close: () => runner.stop() };
        return opened;
      },
    });
  });
  afterAll(() => t.dispose());

  const cli = async (args: string[]) => {
    out = '';
    await program.parseAsync(args, { from: 'user' });
    return out;
  };

  it('strips the escape when an idea comes in, and again when an old stored one is listed', async () => {
    const debate = await cli(['debate', PWNED, '--provider', 'offline', '--json', '--rounds', '1']);
    const first = JSON.parse(debate.split('\n')[0]!) as { debateId: string };
    const stored = await t.db.selectFrom('ideas').select(['id', 'summary']).executeTakeFirstOrThrow();
    expect(stored.summary).not.toMatch(CONTROLS);
    expect(stored.summary).toContain('A wallet for DAOs');
    // A row written before this fix (or by another writer) still holds the raw escape.
    await sql`update ideas set title = ${PWNED}`.execute(t.db);
    const list = await cli(['debates', 'list']);
    expect(list).toContain(first.debateId);
    expect(list).toContain('A wallet for DAOs');
    expect(list).not.toContain('PWNED\x07');
    expect(list).not.toMatch(CONTROLS);
    const shown = await cli(['debates', 'show', first.debateId]);
    expect(shown).not.toContain('\x1b[2J');
    expect(shown).not.toContain('\x1b]0;');
  });

  it('exports Markdown with raw HTML escaped and control characters gone', () => {
    const detail: DebateDetailView = {
      id: 'd',
      ideaId: 'i',
      title: PWNED,
      status: 'completed',
      pauseReason: null,
      phase: 'divergence',
      round: 1,
      totalRounds: 1,
      progress: { done: 1, total: 1 },
      outcome: null,
      lang: 'en',
      messageCount: 1,
      promptTokens: 1,
      completionTokens: 1,
      costUsd: 0,
      startedAt: '2026-11-25T12:00:00.000Z',
      completedAt: null,
      messages: [
        {
          id: 'm0',
          debateId: 'd',
          turnIndex: 0,
          type: 'human',
          phase: 'divergence',
          round: 1,
          authorKind: 'human',
          agentId: 'discord:1',
          agentName: 'Eve <img src=x onerror=alert(1)>',
          handle: null,
          color: null,
          references: [],
          model: null,
          content: 'see <script>steal()</script> and `<kbd>` \x1b[2J',
          promptTokens: 0,
          completionTokens: 0,
          costUsd: 0,
          metadata: null,
          createdAt: '2026-11-25T12:00:00.000Z',
        },
      ],
      plan: null,
    };
    const md = exportDebateMarkdown(detail, 'en');
    expect(md).not.toMatch(/<(script|img)/i);
    expect(md).not.toMatch(CONTROLS);
    expect(md).toContain('# A wallet for DAOs ');
    expect(md).toContain('&lt;script>alert(1)&lt;/script>');
    expect(md).toContain('**Eve &lt;img src=x onerror=alert(1)>**');
    expect(md).toContain('> see &lt;script>steal()&lt;/script> and `<kbd>`');
    expect(md).toContain('<a id="m-0"></a>'); // the document's own anchors stay
  });
});
