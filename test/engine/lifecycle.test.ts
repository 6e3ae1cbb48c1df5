import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAgentStates } from '../../db/repositories/agents.ts';
import { listMessages } from '../../db/repositories/debate-messages.ts';
import { listDebateRows, listDebatesByStatus } from '../../db/repositories/debates.ts';
import { countIdeasByStatus, getIdea, listIdeas } from '../../db/repositories/ideas.ts';
import { listLogs } from '../../db/repositories/logs.ts';
import { createPriceTable } from '../../engine/llm/pricing.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { createHarness } from './harness.ts';

describe.each(testDialects())('debate lifecycle on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  it('runs divergence, convergence and planning, committing every message before announcing it', async () => {
    // A priced fake model, on a day of its own, so this debate's spending is all api_usage holds.
    const clock = createFixedClock('2026-03-03T10:00:00Z');
    const h = await createHarness(t.db, { clock, prices: createPriceTable({ overrides: 'fake:*=1/2' }) });
    const seen: Array<Promise<unknown>> = [];
    h.bus.subscribe((e) => {
      if (e.type === 'message.created') {
        seen.push(
          t.db
            .selectFrom('debate_messages')
            .select('id')
            .where('id', '=', e.message.id)
            .executeTakeFirstOrThrow(),
        );
      }
    });
    const { debateId, ideaId } = await h.arena.startDebate({ idea: 'a wallet app for DAOs', origin: 'test' });
    expect((await getIdea(t.db, ideaId))?.status).toBe('in_debate');
    expect(await h.runner.run(debateId)).toBe('completed');

    const d = (await h.arena.getDebate(debateId))!;
    expect(d).toMatchObject({ status: 'completed', outcome: 'selected', phase: 'planning' });
    expect(d.messages.map((m) => m.turnIndex)).toEqual(d.messages.map((_, i) => i));
    expect(d.messages.filter((m) => m.type === 'verdict')).toHaveLength(8);
    expect(d.messages.filter((m) => m.type === 'plan')).toHaveLength(11);
    expect((await getIdea(t.db, ideaId))?.status).toBe('planned');
    expect(d.plan).toMatchObject({
      prd: expect.stringContaining('Lisa Jung'),
      finalPlan: expect.any(String),
    });
    const architecture = d.plan!.architecture!.split('\n\n---\n\n');
    expect(architecture).toHaveLength(4);
    expect(architecture[0]).toMatch(/^\*\*Andrew Yoo\*\* \(@TechLead\)\n\n/);

    // Every persona message after the first answers an earlier one.
    const persona = d.messages.filter((m) => m.authorKind === 'persona');
    expect(persona[0]!.references).toEqual([]);
    for (const m of persona.slice(1)) {
      expect(m.references.length).toBeGreaterThan(0);
      for (const ref of m.references)
        expect(d.messages.find((x) => x.id === ref)!.turnIndex).toBeLessThan(m.turnIndex);
    }

    // Events: in order, committed before announced, deltas only on the bus.
    await Promise.all(seen);
    expect(h.of('message.created', debateId)).toHaveLength(d.messages.length);
    expect(h.events[0]).toMatchObject({ type: 'debate.created', debateId, origin: 'test', rounds: 2 });
    expect(h.events.at(-1)).toMatchObject({
      type: 'debate.completed',
      status: 'completed',
      outcome: 'selected',
      planId: d.plan!.id,
    });
    expect(h.of('phase.changed', debateId).map((e) => `${e.phase}/${e.round}/${e.totalRounds}`)).toEqual([
      'divergence/1/2',
      'divergence/2/2',
      'convergence/1/1',
      'planning/1/1',
    ]);
    const deltas = h.of('message.delta', debateId).filter((e) => e.turnIndex === 0);
    expect(deltas.map((e) => e.delta).join('')).toBe(d.messages[0]!.content);
    expect(h.of('budget.updated').length).toBeGreaterThan(0);

    // Tokens and cost: per message, per debate and in api_usage, all the same sums.
    const calls = (h.llm as ReturnType<typeof createFakeLlm>).calls.length;
    const sum = (k: 'promptTokens' | 'completionTokens' | 'costUsd') =>
      d.messages.reduce((n, m) => n + m[k], 0);
    expect(d.promptTokens).toBe(sum('promptTokens'));
    expect(d.completionTokens).toBe(sum('completionTokens'));
    expect(d.costUsd).toBeCloseTo(sum('costUsd'), 6);
    const usage = await t.db
      .selectFrom('api_usage')
      .select([
        sql<number>`sum(input_tokens)::int8`.as('input'),
        sql<number>`sum(output_tokens)::int8`.as('output'),
        sql<number>`sum(request_count)::int8`.as('requests'),
        sql<string>`sum(cost_usd)`.as('cost'),
      ])
      .where('date', '=', '2026-03-03')
      .executeTakeFirstOrThrow();
    expect(usage).toMatchObject({ input: d.promptTokens, output: d.completionTokens, requests: calls });
    expect(Number(usage.cost)).toBeCloseTo(d.costUsd, 6);
    expect(d.costUsd).toBeGreaterThan(0);

    // Agent states and system logs follow along.
    const alex = await t.db
      .selectFrom('agent_states')
      .selectAll()
      .where('id', '=', d.messages[0]!.agentId)
      .executeTakeFirstOrThrow();
    expect(alex.status).toBe('idle');
    expect(alex.total_messages).toBeGreaterThanOrEqual(1);
    const logs = await t.db
      .selectFrom('system_logs')
      .select('message')
      .where(sql<boolean>`details->>'debateId' = ${debateId}`)
      .execute();
    expect(logs.map((l) => l.message)).toEqual(
      expect.arrayContaining([
        'debate started',
        'debate phase: convergence',
        'debate outcome: selected',
        'debate completed',
      ]),
    );
  });

  it('re-asks once on malformed verdict JSON, then records the verdict as unreadable and carries on', async () => {
    const llm = createFakeLlm({
      respond: (req) => {
        const m = req.metadata;
        if (m?.task !== 'verdict') return undefined;
        const reasked = req.messages.length > 2;
        if (m.personaId === 'vc_aggressive') return reasked ? undefined : 'Great idea! 9/10';
        if (m.personaId === 'vc_conservative') return '{"score": "high"';
        return undefined;
      },
    });
    const h = await createHarness(t.db, { llm });
    const { debateId } = await h.arena.startDebate({
      idea: 'a recipe planner for allergies',
      origin: 'test',
      rounds: 1,
    });
    expect(await h.runner.run(debateId)).toBe('completed');
    expect(llm.count({ task: 'verdict', personaId: 'vc_aggressive' })).toBe(2);
    expect(llm.count({ task: 'verdict', personaId: 'vc_conservative' })).toBe(2);
    expect(llm.count({ task: 'verdict', personaId: 'accel_speed' })).toBe(1);
    const reask = llm.calls.find(
      (c) => c.meta?.personaId === 'vc_aggressive' && c.request.messages.length > 2,
    )!;
    expect(reask.request.messages.at(-2)).toEqual({ role: 'assistant', content: 'Great idea! 9/10' });
    expect(reask.request.messages.at(-1)!.content).toMatch(/no JSON object found/);

    const d = (await h.arena.getDebate(debateId))!;
    const verdicts = d.messages.filter((m) => m.type === 'verdict');
    expect(verdicts).toHaveLength(8);
    const byAgent = (id: string) => verdicts.find((m) => m.agentId === id)!;
    expect(byAgent('vc_aggressive').metadata).toMatchObject({ verdict: { score: 8 } });
    expect(byAgent('vc_conservative').metadata).toMatchObject({ verdict: null, unparseable: true });
    expect(byAgent('vc_conservative').content).toMatch(/No readable verdict/);
    expect(d.messages.find((m) => m.metadata?.decision)?.metadata).toMatchObject({
      decision: { valid: 7, total: 8 },
    });
    expect(d.outcome).toBe('selected');
  });

  it('loops back to a refinement round once, then resolves', async () => {
    const h = await createHarness(t.db, { llm: createFakeLlm({ scores: 6 }) });
    const { debateId, ideaId } = await h.arena.startDebate({
      idea: 'a parking spot exchange',
      origin: 'test',
      rounds: 1,
    });
    expect(await h.runner.run(debateId)).toBe('completed');
    const d = (await h.arena.getDebate(debateId))!;
    expect(h.of('phase.changed', debateId).map((e) => `${e.phase}/${e.round}`)).toEqual([
      'divergence/1',
      'convergence/1',
      'divergence/2',
      'convergence/2',
      'planning/1',
    ]);
    const outcomes = d.messages.flatMap((m) =>
      m.metadata?.decision ? [(m.metadata.decision as { outcome: string }).outcome] : [],
    );
    expect(outcomes).toEqual(['needs_refinement', 'selected']);
    expect(
      d.messages.filter((m) => m.type === 'summary' && m.authorKind === 'system' && !m.metadata?.decision),
    ).toHaveLength(2);
    expect(d.outcome).toBe('selected');
    expect((await getIdea(t.db, ideaId))?.status).toBe('planned');
  });

  it('rejects a weak idea without planning', async () => {
    const h = await createHarness(t.db, { llm: createFakeLlm({ scores: 3 }) });
    const { debateId, ideaId } = await h.arena.startDebate({
      idea: 'a fax machine for cats',
      origin: 'test',
      rounds: 1,
    });
    expect(await h.runner.run(debateId)).toBe('completed');
    const d = (await h.arena.getDebate(debateId))!;
    expect(d).toMatchObject({ outcome: 'rejected', plan: null });
    expect(d.messages.some((m) => m.phase === 'planning')).toBe(false);
    expect((await getIdea(t.db, ideaId))?.status).toBe('rejected');
    expect(h.of('debate.completed', debateId)).toEqual([
      expect.objectContaining({ outcome: 'rejected', planId: null }),
    ]);
  });

  it('debates an existing idea row, refusing one already in debate', async () => {
    const h = await createHarness(t.db);
    const idea = await t.db
      .insertInto('ideas')
      .values({
        title: 'Solar-powered e-bike rental',
        summary: 'Rent e-bikes charged by solar kiosks',
        source_type: 'trend',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const started = await h.arena.startDebate({ ideaId: idea.id, origin: 'scheduler' });
    expect(started).toMatchObject({ ideaId: idea.id, title: 'Solar-powered e-bike rental' });
    await expect(h.arena.startDebate({ ideaId: idea.id, origin: 'scheduler' })).rejects.toMatchObject({
      code: 'idea_busy',
    });
    await expect(h.arena.startDebate({ origin: 'cli' })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await h.arena.stop(started.debateId)).toEqual({ ok: true });
  });

  it("answers the seed's repository queries over what the debates above left", async () => {
    const counts = await countIdeasByStatus(t.db);
    expect(counts).toMatchObject({ planned: 3, rejected: 1, pending: 1 });
    expect((await listIdeas(t.db, { status: 'rejected' })).map((i) => i.title)).toEqual([
      'a fax machine for cats',
    ]);
    expect(await listDebatesByStatus(t.db, 'active')).toEqual([]);
    const [latest] = await listDebateRows(t.db, { status: 'completed', limit: 1 });
    const messages = await listMessages(t.db, latest!.id);
    expect(messages.map((m) => m.turn_index)).toEqual(messages.map((_, i) => i));
    expect(Number(latest!.message_count)).toBe(messages.length);
    const logs = await listLogs(t.db, { source: 'debate', level: 'warn' });
    expect(logs.map((l) => l.message)).toContain('unreadable verdict recorded');
    const agents = await listAgentStates(t.db);
    expect(agents.length).toBeGreaterThan(20);
    expect(agents.every((a) => a.status === 'idle')).toBe(true);
  });
});
