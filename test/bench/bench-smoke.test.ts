import { describe, expect, it } from 'vitest';
import { createArenaBench } from '../../bench/arena-bench.ts';
import { createBenchLlm } from '../../bench/fake-llm.ts';
import { createLangGraphBench } from '../../bench/langgraph-bench.ts';
import type { ScenarioResult } from '../../bench/result.ts';
import { parseVerdict } from '../../engine/debate/verdict.ts';
import { TEST_DATABASE_URL, testDialects } from '../helpers/db.ts';

// Shape and sanity only: speed goals live in `npm run bench`, never in tests.
describe('bench fake model', () => {
  it('streams a ~600-character reply in ~40 deltas and answers verdict calls with valid verdict JSON', async () => {
    const llm = createBenchLlm();
    const deltas: string[] = [];
    const meta = { personaId: 'p1', task: 'turn', lang: 'en', turnIndex: 3 } as const;
    const turn = await llm.chat(
      { model: 'm', messages: [{ role: 'user', content: 'x'.repeat(400) }], metadata: meta },
      (d) => deltas.push(d),
    );
    expect(turn.text).toHaveLength(600);
    expect(deltas.join('')).toBe(turn.text);
    expect(deltas.length).toBeGreaterThanOrEqual(35);
    expect(deltas.length).toBeLessThanOrEqual(45);
    expect(turn).toMatchObject({ promptTokens: 100, completionTokens: 150, provider: 'bench' });
    // Deterministic: the same request gives the same text.
    expect((await llm.chat({ model: 'm', messages: [], metadata: meta })).text).toBe(turn.text);

    const verdict = await llm.chat({ model: 'm', messages: [], metadata: { ...meta, task: 'verdict' } });
    expect(parseVerdict(verdict.text)).toMatchObject({ ok: true, verdict: { score: 8 } });
    expect(llm.stats()).toMatchObject({ calls: 3 });
  });
});

function expectSane(r: ScenarioResult, debates: number) {
  expect(r).toMatchObject({ debates, completed: debates });
  expect(r.turns).toBeGreaterThan(0);
  expect(r.turns % debates).toBe(0);
  expect(r.llmCalls).toBeGreaterThan(0);
  expect(r.llmCalls).toBeLessThanOrEqual(r.turns);
  expect(r.turnsPerSec).toBeGreaterThan(0);
  expect(r.cpu.processMsPerTurn).toBeGreaterThan(0);
  expect(r.cpu.fakeLlmMsPerTurn).toBeGreaterThanOrEqual(0);
  expect(r.bus.messagesPerTurn).toBeGreaterThan(0);
  expect(r.memory.peakRssMb).toBeGreaterThan(0);
  expect(r.memory.peakRssMb).toBeGreaterThanOrEqual(r.memory.baselineRssMb);
}

describe.each(testDialects())('arena benchmark on %s', (dialect) => {
  it('runs 2 debates of 1 round to completion and reports per-turn work; LangGraph replays the same shape', async () => {
    const bench = await createArenaBench({
      rounds: 1,
      dialect,
      postgresUrl: TEST_DATABASE_URL,
      latencyMs: 0,
      priced: true,
    });
    let arena: ScenarioResult;
    try {
      arena = await bench.run(2);
    } finally {
      await bench.close();
    }
    expectSane(arena, 2);
    expect(arena).toMatchObject({ system: 'arena', store: dialect, rounds: 1 });
    expect(arena.sql).not.toBeNull();
    const sql = arena.sql!;
    // The cost intent as counts (BEGIN and COMMIT count as statements): a turn is a claim that
    // holds its call's budget, and a commit, as single statements. test/engine/turn-cost.test.ts
    // pins each kind of turn exactly.
    expect(sql.statementsPerTurn).toBeGreaterThanOrEqual(2);
    expect(sql.statementsPerTurn).toBeLessThanOrEqual(3); // with the debate's start, end, folds and budget reads
    expect(sql.transactionsPerTurn).toBeLessThan(1);
    expect(sql.perDebate['with turn_session']).toBe(arena.turns / 2);
    // Every turn is a claim and a commit; the claim holds the budget of the turn's call (a group's
    // first claim, of every call of its verdicts or plan sections, started at once), so no call
    // holds on its own. The plan writes ride in the commit statement (no separate plan
    // statements), and no turn opens a transaction: the few per debate are its start and its end.
    const turnsPerDebate = arena.turns / 2;
    expect(sql.perDebate['with turn_claim']).toBe(turnsPerDebate);
    expect(sql.perDebate['update debate_sessions'] ?? 0).toBeLessThanOrEqual(4); // lease, end
    expect(sql.perDebate['with hold_debate']).toBeUndefined();
    expect(sql.perDebate['insert plans']).toBeUndefined();
    expect(sql.perDebate['update plans']).toBeUndefined();
    expect(sql.perDebate['select plans'] ?? 0).toBeLessThanOrEqual(1);
    expect(Math.round(sql.transactionsPerTurn * turnsPerDebate)).toBeLessThanOrEqual(3);
    // A message of ~600 characters is written per turn, at least.
    expect(sql.writeBytesPerTurn).toBeGreaterThan(300);
    expect(sql.walBytesPerTurn).toBeGreaterThan(0);
    expect(arena.bus.byType['message.created']).toBe(arena.turns);
    expect(arena.bus.byType['message.delta']).toBeGreaterThan(arena.llmCalls);
    expect(bench.script).toHaveLength(arena.turns / 2);

    const graph = await createLangGraphBench({
      variant: 'langgraph',
      latencyMs: 0,
      script: bench.script,
      rounds: 1,
    });
    const lg = await graph.run(1);
    expectSane(lg, 1);
    expect(lg.turns).toBe(bench.script.length);
    expect(lg.llmCalls).toBe(arena.llmCalls / 2);
    expect(lg.sql).toBeNull();
    // The checkpointer saves at least once per step, and the last checkpoint holds the whole transcript.
    expect(lg.state!.checkpointsPerTurn).toBeGreaterThanOrEqual(1);
    const prose = bench.script.filter((s) => s.kind !== 'verdict' && s.kind !== 'outcome').length;
    expect(lg.state!.maxCheckpointBytes).toBeGreaterThan(600 * prose);
  }, 300_000); // two whole debates plus LangGraph's replay: slow on a loaded machine
});
