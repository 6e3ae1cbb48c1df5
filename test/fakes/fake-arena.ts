import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, IdeaStatus, MessageType } from '../../db/schema.ts';
import type {
  Arena,
  ControlResult,
  DebateDetailView,
  DebateSummaryView,
  PlanView,
  StartDebateInput,
} from '../../engine/api.ts';
import type { Clock } from '../../engine/clock.ts';
import type { ArenaEvent, BudgetSnapshot, DebateMessageView, EventBus } from '../../engine/events.ts';
import { findSimilarTitle } from '../../engine/signals/idea-similarity.ts';
import type { Lang, Persona, Phase } from '../../personas/types.ts';

export interface FakeArenaOptions {
  bus: EventBus;
  /** Where `withinCreation` of a start runs (the committing bus has written the debate row there). */
  db?: Kysely<Database>;
  personas: readonly Persona[];
  clock?: Clock;
  /** Pause between streamed chunks of a turn, so viewers can watch text arrive. */
  chunkMs?: number;
  /** Cost charged per persona turn, so budget bars move. */
  costPerTurn?: number;
  limits?: { dailyUsd: number; monthlyUsd: number };
  /** Speakers per divergence round. */
  speakers?: number;
  /** Already spent today and this month before the arena starts (e.g. seeded api_usage). */
  spentUsd?: number;
}

interface DebateState {
  summary: DebateSummaryView;
  messages: DebateMessageView[];
  plan: PlanView | null;
  paused: boolean;
  stopped: boolean;
  wake: (() => void) | null;
  /** Turn index of the persona turn being written, as the engine's `turn_in_flight`. */
  inFlight?: number | null;
}

type IdeaRow = { id: string; title: string; status: IdeaStatus; score: number; createdAt: string };

/** An in-memory Arena that runs a scripted three-phase debate and publishes the same events as the engine. */
export function createFakeArena(opts: FakeArenaOptions): Arena & {
  /** Every control call that reached the arena, for "nothing changed" assertions. */
  calls: string[];
  /** Resolves when the debate has finished. */
  finished(debateId: string): Promise<void>;
} {
  const clock = opts.clock ?? { now: () => new Date() };
  const chunkMs = opts.chunkMs ?? 0;
  const debates = new Map<string, DebateState>();
  const ideas: IdeaRow[] = [];
  const done = new Map<string, Promise<void>>();
  const calls: string[] = [];
  const spent = { day: opts.spentUsd ?? 0, month: opts.spentUsd ?? 0, tokens: 0 };
  const limits = opts.limits ?? { dailyUsd: 50, monthlyUsd: 1500 };
  const at = () => clock.now().toISOString();
  const emit = (e: ArenaEvent) => opts.bus.publish(e);
  const byPhase = (phase: Phase) => opts.personas.filter((p) => p.phase === phase);
  const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

  const budget = (): BudgetSnapshot => {
    const now = clock.now().toISOString();
    return {
      day: {
        date: now.slice(0, 10),
        spentUsd: spent.day,
        reservedUsd: 0,
        limitUsd: limits.dailyUsd,
        tokens: spent.tokens,
      },
      month: {
        month: now.slice(0, 7),
        spentUsd: spent.month,
        reservedUsd: 0,
        limitUsd: limits.monthlyUsd,
        tokens: spent.tokens,
      },
    };
  };

  const gate = async (d: DebateState) => {
    while (d.paused && !d.stopped) await new Promise<void>((r) => (d.wake = r));
  };

  const turn = async (
    d: DebateState,
    p: Persona,
    type: MessageType,
    text: string,
    metadata?: Record<string, unknown>,
  ) => {
    await gate(d);
    if (d.stopped) return;
    const s = d.summary;
    // As the engine: the next index after every message, including a person's that took one mid-turn.
    const turnIndex = d.messages.reduce((max, m) => Math.max(max, m.turnIndex), -1) + 1;
    d.inFlight = turnIndex;
    const target = [...d.messages].reverse().find((m) => m.authorKind !== 'system') ?? null;
    await emit({
      type: 'turn.started',
      at: at(),
      debateId: s.id,
      turnIndex,
      personaId: p.id,
      handle: p.handle,
      reaction: type,
      targetMessageId: target?.id ?? null,
    });
    const words = text.split(/(?<= )/);
    for (let i = 0; i < words.length; i += 3) {
      await sleep(chunkMs);
      await emit({
        type: 'message.delta',
        at: at(),
        debateId: s.id,
        turnIndex,
        personaId: p.id,
        delta: words.slice(i, i + 3).join(''),
      });
    }
    const cost = opts.costPerTurn ?? 0.01;
    const message: DebateMessageView = {
      id: randomUUID(),
      debateId: s.id,
      turnIndex,
      phase: s.phase,
      round: s.round,
      authorKind: 'persona',
      agentId: p.id,
      agentName: p.name,
      handle: p.handle,
      color: p.color,
      type,
      content: text,
      references: target ? [target.id] : [],
      model: 'fake',
      promptTokens: 120,
      completionTokens: words.length,
      costUsd: cost,
      metadata: metadata ?? null,
      createdAt: at(),
    };
    d.messages.push(message);
    d.inFlight = null;
    s.messageCount++;
    if (s.phase !== 'divergence') s.progress = { ...s.progress, done: s.progress.done + 1 };
    s.promptTokens += 120;
    s.completionTokens += words.length;
    s.costUsd += cost;
    spent.day += cost;
    spent.month += cost;
    spent.tokens += 120 + words.length;
    await emit({ type: 'message.created', at: at(), debateId: s.id, message });
    await emit({ type: 'budget.updated', at: at(), budget: budget() });
  };

  const setPhase = async (d: DebateState, phase: Phase, round: number) => {
    d.summary.phase = phase;
    d.summary.round = round;
    // The fake's phases: its rounds, three evaluators, two plan sections.
    d.summary.progress =
      phase === 'divergence'
        ? { done: round, total: d.summary.totalRounds }
        : { done: 0, total: phase === 'convergence' ? 3 : 2 };
    await emit({
      type: 'phase.changed',
      at: at(),
      debateId: d.summary.id,
      phase,
      round,
      totalRounds: d.summary.totalRounds,
    });
  };

  const run = async (d: DebateState) => {
    const s = d.summary;
    const ko = s.lang === 'ko';
    const div = byPhase('divergence');
    const reactions: MessageType[] = ['propose', 'challenge', 'support', 'refine', 'merge'];
    let k = 0;
    for (let round = 1; round <= s.totalRounds; round++) {
      await setPhase(d, 'divergence', round);
      for (let i = 0; i < (opts.speakers ?? 3); i++) {
        const p = div[k++ % div.length]!;
        const type = k === 1 ? 'propose' : reactions[k % reactions.length]!;
        const text = ko
          ? `${p.catchphrase.ko} "${s.title}"에 대해 ${type} 관점에서 보면, 라운드 ${round}에서는 사용자 검증부터 해야 합니다.`
          : `${p.catchphrase.en} Looking at "${s.title}" as a ${type}: in round ${round} we should validate it with real users first.`;
        await turn(d, p, type, text);
      }
    }
    await setPhase(d, 'convergence', s.totalRounds);
    const scores: number[] = [];
    for (const [i, p] of byPhase('convergence').slice(0, 3).entries()) {
      const score = 7 + (i % 3);
      scores.push(score);
      const verdict = {
        score,
        strengths: ['clear user need'],
        risks: ['crowded market'],
        conditions: ['a pilot'],
      };
      await turn(d, p, 'verdict', `Score: ${score}/10. Strengths: clear user need. Risks: crowded market.`, {
        verdict,
      });
    }
    if (d.stopped) return finish(d, 'cancelled');
    s.outcome = 'selected';
    await setPhase(d, 'planning', s.totalRounds);
    const sections: string[] = [];
    for (const p of byPhase('planning').slice(0, 2)) {
      const text = `## ${p.planSection ?? 'plan'}\nShip a pilot for "${s.title}" in six weeks.`;
      sections.push(text);
      await turn(d, p, 'plan', text, { section: p.planSection ?? null });
    }
    if (d.stopped) return finish(d, 'cancelled');
    d.plan = {
      id: randomUUID(),
      title: s.title,
      prd: sections[0] ?? null,
      architecture: sections[1] ?? null,
      userResearch: null,
      businessModel: null,
      projectPlan: null,
      finalPlan: `Final plan for ${s.title}: pilot, measure, expand.`,
    };
    await finish(d, 'completed');
  };

  const finish = async (d: DebateState, status: 'completed' | 'cancelled') => {
    const s = d.summary;
    s.status = status;
    s.completedAt = at();
    const idea = ideas.find((i) => i.id === s.ideaId);
    if (idea) idea.status = status === 'completed' ? 'planned' : 'pending';
    await emit({
      type: 'debate.completed',
      at: at(),
      debateId: s.id,
      status,
      outcome: s.outcome,
      planId: d.plan?.id ?? null,
    });
  };

  const find = (id: string) => debates.get(id);

  return {
    calls,
    finished: (id) => done.get(id) ?? Promise.resolve(),
    admit: async () => ({ ok: true }),
    async startDebate(input: StartDebateInput) {
      calls.push('startDebate');
      const existing = input.ideaId ? ideas.find((i) => i.id === input.ideaId) : undefined;
      const title = existing?.title ?? (input.idea ?? 'untitled').split('\n')[0]!.slice(0, 90);
      const idea: IdeaRow = existing ?? {
        id: randomUUID(),
        title,
        status: 'in_debate',
        score: 0,
        createdAt: at(),
      };
      idea.status = 'in_debate';
      if (!existing) ideas.push(idea);
      const lang: Lang = input.lang ?? 'en';
      const summary: DebateSummaryView = {
        id: randomUUID(),
        ideaId: idea.id,
        title,
        status: 'active',
        pauseReason: null,
        phase: 'divergence',
        round: 1,
        totalRounds: input.rounds ?? 2,
        progress: { done: 1, total: input.rounds ?? 2 },
        outcome: null,
        lang,
        messageCount: 0,
        promptTokens: 0,
        completionTokens: 0,
        costUsd: 0,
        startedAt: at(),
        completedAt: null,
      };
      const d: DebateState = { summary, messages: [], plan: null, paused: false, stopped: false, wake: null };
      debates.set(summary.id, d);
      await emit({
        type: 'debate.created',
        at: at(),
        debateId: summary.id,
        ideaId: idea.id,
        title,
        lang,
        rounds: summary.totalRounds,
        origin: input.origin,
      });
      if (input.withinCreation) {
        if (!opts.db) throw new Error('the fake arena needs `db` to run withinCreation');
        await input.withinCreation(opts.db, summary.id);
      }
      done.set(summary.id, run(d));
      return { debateId: summary.id, ideaId: idea.id, title };
    },
    async pause(id, reason = 'user'): Promise<ControlResult> {
      calls.push('pause');
      const d = find(id);
      if (!d) return { ok: false, reason: 'not_found' };
      if (d.summary.completedAt) return { ok: false, reason: 'already_finished' };
      if (d.paused) return { ok: false, reason: 'already_paused' };
      d.paused = true;
      d.summary.status = 'paused';
      d.summary.pauseReason = reason;
      await emit({ type: 'debate.paused', at: at(), debateId: id, reason });
      return { ok: true };
    },
    async resume(id): Promise<ControlResult> {
      calls.push('resume');
      const d = find(id);
      if (!d) return { ok: false, reason: 'not_found' };
      if (!d.paused) return { ok: false, reason: 'not_paused' };
      d.paused = false;
      d.summary.status = 'active';
      d.summary.pauseReason = null;
      await emit({ type: 'debate.resumed', at: at(), debateId: id });
      d.wake?.();
      return { ok: true };
    },
    async stop(id): Promise<ControlResult> {
      calls.push('stop');
      const d = find(id);
      if (!d) return { ok: false, reason: 'not_found' };
      if (d.summary.completedAt) return { ok: false, reason: 'already_finished' };
      d.stopped = true;
      d.paused = false;
      d.wake?.();
      return { ok: true };
    },
    async injectHuman(id, input) {
      calls.push('injectHuman');
      const d = find(id);
      if (!d) return { ok: false, reason: 'not_found' };
      if (d.summary.completedAt) return { ok: false, reason: 'already_finished' };
      const message: DebateMessageView = {
        id: randomUUID(),
        debateId: id,
        // After every committed message and after the turn in flight, as the engine numbers them.
        turnIndex:
          Math.max(
            d.messages.reduce((max, m) => Math.max(max, m.turnIndex), -1),
            d.inFlight ?? -1,
          ) + 1,
        phase: d.summary.phase,
        round: d.summary.round,
        authorKind: 'human',
        agentId: input.authorId,
        agentName: input.author,
        handle: null,
        color: null,
        type: 'human',
        content: input.text,
        references: [],
        model: null,
        promptTokens: 0,
        completionTokens: 0,
        costUsd: 0,
        metadata: null,
        createdAt: at(),
      };
      d.messages.push(message);
      d.summary.messageCount++;
      await emit({ type: 'message.created', at: at(), debateId: id, message });
      return { ok: true, message, nextPersonaId: null };
    },
    async getDebate(id): Promise<DebateDetailView | null> {
      const d = find(id);
      return d
        ? { ...d.summary, messages: [...d.messages].sort((a, b) => a.turnIndex - b.turnIndex), plan: d.plan }
        : null;
    },
    async listDebates(filter = {}) {
      return [...debates.values()]
        .map((d) => ({ ...d.summary }))
        .filter((s) => !filter.status || s.status === filter.status)
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
        .slice(0, filter.limit ?? 50);
    },
    async listIdeas(filter = {}) {
      return ideas.filter((i) => !filter.status || i.status === filter.status).slice(0, filter.limit ?? 100);
    },
    async addIdea(input) {
      calls.push(`addIdea:${input.title}`);
      const title = input.title.replace(/\s+/g, ' ').trim();
      if (title.length < 3 || title.length > 500)
        return { ok: false, reason: 'invalid', error: 'an idea needs 3 to 500 characters' };
      const similar = findSimilarTitle(
        title,
        ideas.map((i) => i.title),
      );
      if (similar) return { ok: false, reason: 'duplicate', similarTo: similar };
      const idea: IdeaRow = { id: randomUUID(), title, status: 'pending', score: 0, createdAt: at() };
      ideas.unshift(idea);
      return { ok: true, idea };
    },
    async budget() {
      return budget();
    },
    personas: () => opts.personas,
  };
}
