import { listMessages } from '../../../db/repositories/debate-messages.ts';
import { getDebateRow } from '../../../db/repositories/debates.ts';
import { getIdea } from '../../../db/repositories/ideas.ts';
import type { DebateSessionRow } from '../../../db/schema.ts';
import type { Lang } from '../../../personas/types.ts';
import type { Engine } from '../engine.ts';
import { type HistoryEntry, toHistory } from '../history.ts';
import { type DebateMeta, debateMeta } from '../meta.ts';
import type { PlanContext } from '../plan/planner.ts';

/** How a runner's work on a debate ended. */
export type RunEnd = 'completed' | 'paused' | 'inactive' | 'lease_lost' | 'stopped' | 'not_claimed';

/** What a runner holds about a debate it drives: the session row and the committed history. */
export interface DebateRun {
  id: string;
  session: DebateSessionRow;
  meta: DebateMeta;
  lang: Lang;
  idea: { id: string; title: string; summary: string };
  plan: PlanContext;
  history: HistoryEntry[];
}

/** Reads a debate's state from the database: the only truth a (re)started runner needs. */
export async function loadRun(
  engine: Pick<Engine, 'db' | 'cast'>,
  session: DebateSessionRow,
): Promise<DebateRun> {
  const idea = await getIdea(engine.db, session.idea_id);
  if (!idea) throw new Error(`debate ${session.id} has no idea row ${session.idea_id}`);
  const meta = debateMeta(session);
  return {
    id: session.id,
    session,
    meta,
    lang: session.lang === 'ko' ? 'ko' : 'en',
    idea: { id: idea.id, title: idea.title, summary: idea.summary },
    plan: { seed: meta.seed, idea: `${idea.title}\n${idea.summary}`, rounds: meta.rounds, cast: engine.cast },
    history: toHistory(await listMessages(engine.db, session.id)),
  };
}

/** Re-reads the session row and the messages, e.g. after a person's message took the next index. */
export async function refreshRun(engine: Pick<Engine, 'db'>, run: DebateRun): Promise<DebateRun> {
  const session = await getDebateRow(engine.db, run.id);
  if (!session) throw new Error(`debate ${run.id} disappeared`);
  return { ...run, session, history: toHistory(await listMessages(engine.db, run.id)) };
}

/** The debate's plan context with the model server's loaded models now, for the model-aware divergence order. */
export function modelAware(engine: Pick<Engine, 'loadedModels' | 'settings'>, run: DebateRun): PlanContext {
  return { ...run.plan, loadedModels: engine.loadedModels(), moderatorModel: engine.settings.moderatorModel };
}
