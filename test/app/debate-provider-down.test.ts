import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedArena, registerDebateCommands } from '../../app/commands/debate.ts';
import { RuntimeFailure } from '../../app/errors.ts';
import { createProviderAdmission } from '../../app/provider-admission.ts';
import { providerProblem } from '../../app/provider-check.ts';
import { createArena } from '../../engine/arena.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import { createOllamaProvider } from '../../engine/llm/ollama.ts';
import { silentLogger } from '../../engine/log.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('arena debate with the model provider down', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
  });
  afterAll(() => t.dispose());

  it('fails in about a second with what to do, and leaves no debate behind', async () => {
    const personas = await builtinCatalog();
    // Nothing listens on port 1: Ollama is not running.
    const llm = createOllamaProvider({ host: 'http://127.0.0.1:1', timeoutMs: 60_000, log: silentLogger });
    let text = '';
    const program = new Command('arena').exitOverride();
    registerDebateCommands(program, {
      out: {
        write: (s: string) => {
          text += s;
        },
        isTTY: false,
      },
      env: {},
      async open(): Promise<OpenedArena> {
        const bus = createMemoryBus();
        const { arena, runner } = createArena({
          db: t.db,
          llm,
          bus,
          clock: createFixedClock(),
          personas,
          log: silentLogger,
          instanceId: 'provider-down-test',
          // As the app wires it (app/context.ts): the provider is asked before a debate is created.
          admit: createProviderAdmission({
            problem: () => providerProblem(llm, 'ollama', { ollamaHost: 'http://127.0.0.1:1' }),
            clock: createFixedClock(),
          }),
        });
        return { arena, runner, bus, close: () => runner.stop() };
      },
    });
    const started = Date.now();
    const error = await program
      .parseAsync(['debate', 'A bike repair app'], { from: 'user' })
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(RuntimeFailure);
    const message = (error as Error).message;
    expect(message).toContain('ollama serve');
    expect(message).toContain('--provider offline');
    expect(message).not.toMatch(/resumes/);
    expect(text).toBe('');
    const count = await t.db
      .selectFrom('debate_sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    expect(Number(count?.n)).toBe(0);
  });
});
