import { listMessages } from '../db/repositories/debate-messages.ts';
import { getDebateListRow, listDebateRows } from '../db/repositories/debates.ts';
import { listIdeas } from '../db/repositories/ideas.ts';
import { getPlanByDebate } from '../db/repositories/plans.ts';
import type { Arena } from './api.ts';
import { budgetSnapshot } from './budget/index.ts';
import { isDebateId, pauseDebate, resumeDebate, stopDebate } from './debate/control.ts';
import { createEngine, type EngineDeps } from './debate/engine.ts';
import { injectHuman } from './debate/inject.ts';
import { type DebateRunner, runnerFor } from './debate/run/runner.ts';
import { startDebate } from './debate/start.ts';
import { toMessageView, toPlanView, toSummaryView } from './debate/views.ts';
import { addIdea } from './signals/ideas.ts';

/**
 * The engine's facade for chat platforms, the dashboard and the CLI, plus the runner that drives
 * debates in this process (start it in a long-running process; the CLI drives one debate with run()).
 */
export function createArena(deps: EngineDeps): { arena: Arena; runner: DebateRunner } {
  const engine = createEngine(deps);
  const runner = runnerFor(engine);
  const { db } = engine;

  const arena: Arena = {
    async startDebate(input) {
      const started = await startDebate(engine, input);
      runner.notify(started.debateId);
      return started;
    },
    admit: () => engine.admit(),
    pause: (debateId, reason) => pauseDebate(engine, debateId, reason),
    async resume(debateId) {
      const result = await resumeDebate(engine, debateId);
      if (result.ok) runner.notify(debateId);
      return result;
    },
    async stop(debateId) {
      const result = await stopDebate(engine, debateId);
      runner.cancel(debateId);
      return result;
    },
    injectHuman: (debateId, input) => injectHuman(engine, debateId, input),
    async getDebate(debateId) {
      if (!isDebateId(debateId)) return null;
      const row = await getDebateListRow(db, debateId);
      if (!row) return null;
      const [messages, plan] = await Promise.all([listMessages(db, debateId), getPlanByDebate(db, debateId)]);
      return {
        ...toSummaryView(row, engine.cast),
        messages: messages.map((m) => toMessageView(m, engine.cast)),
        plan: plan ? toPlanView(plan) : null,
      };
    },
    async listDebates(filter = {}) {
      return (await listDebateRows(db, filter)).map((row) => toSummaryView(row, engine.cast));
    },
    listIdeas: (filter = {}) => listIdeas(db, filter),
    addIdea: (input) => addIdea({ db, clock: engine.clock }, input),
    budget() {
      const { dailyUsd, monthlyUsd } = engine.settings.budget;
      return budgetSnapshot(db, { now: engine.clock.now(), limits: { dailyUsd, monthlyUsd } });
    },
    personas: () => engine.cast.all,
  };
  return { arena, runner };
}
