import type { Kysely } from 'kysely';
import { topPendingIdea } from '../../db/repositories/ideas.ts';
import type { Database, DebateOutcome } from '../../db/schema.ts';
import type { Arena } from '../../engine/api.ts';
import type { DebateRunner } from '../../engine/debate/run/runner.ts';
import type { RunEnd } from '../../engine/debate/run/turn.ts';
import type { ArenaEvent, EventBus } from '../../engine/events.ts';
import type { Scheduler } from './scheduler.ts';

export const CYCLE_STEPS = 5;

/** What a cycle reports while it runs: `arena cycle` prints it, the dashboard's `run cycle` logs it. */
export type CycleProgress =
  | { kind: 'step'; n: number; label: string }
  | { kind: 'step.done'; n: number; result: Record<string, unknown> | null }
  | { kind: 'no_idea' }
  | { kind: 'debate'; n: number; title: string; ideaId: string; debateId: string }
  | { kind: 'phase'; phase: string; round: number; totalRounds: number }
  | { kind: 'message'; agentName: string; content: string }
  | { kind: 'plan'; n: number; title: string; debateId: string }
  | { kind: 'outcome'; n: number; outcome: DebateOutcome | null; debateId: string };

export type CycleResult =
  | { debated: false }
  | {
      debated: true;
      ideaId: string;
      debateId: string;
      /** How the debate's run ended here: `completed`, or why it stopped (e.g. paused for budget). */
      end: RunEnd;
      outcome: DebateOutcome | null;
      planTitle: string | null;
      pauseReason: string | null;
    };

export interface CycleDeps {
  scheduler: Pick<Scheduler, 'run'>;
  db: Kysely<Database>;
  arena: Arena;
  /** Drives the debate here (or joins the run a started runner already began) until it ends. */
  runner: Pick<DebateRunner, 'run'>;
  bus: EventBus;
}

/** A job of the cycle that could not run or failed; the cycle stops there. */
export class CycleStepError extends Error {}

/**
 * The whole loop once: fetch feeds → trends → ideas (each as its job, so the lease keeps a second
 * process or a scheduled run from doubling it) → debate the top pending idea → its plan.
 */
export async function runCycle(deps: CycleDeps, progress: (p: CycleProgress) => void): Promise<CycleResult> {
  const job = async (n: number, label: string, name: string) => {
    progress({ kind: 'step', n, label });
    const outcome = await deps.scheduler.run(name, 'manual');
    if (!outcome.ran)
      throw new CycleStepError(
        outcome.reason === 'busy'
          ? `${name} is running in another process; try again later`
          : `no job ${name}`,
      );
    if (!outcome.ok) throw new CycleStepError(`${name} failed: ${outcome.error}`);
    progress({ kind: 'step.done', n, result: outcome.result });
  };
  await job(1, 'fetching feeds', 'signals.fetch');
  await job(2, 'finding trends', 'trends.analyze');
  await job(3, 'writing ideas', 'ideas.generate');

  const idea = await topPendingIdea(deps.db);
  if (!idea) {
    progress({ kind: 'no_idea' });
    return { debated: false };
  }
  let debateId: string | undefined;
  const unsubscribe = deps.bus.subscribe((e: ArenaEvent) => {
    if (!('debateId' in e) || e.debateId !== debateId) return;
    if (e.type === 'phase.changed')
      progress({ kind: 'phase', phase: e.phase, round: e.round, totalRounds: e.totalRounds });
    if (e.type === 'message.created')
      progress({ kind: 'message', agentName: e.message.agentName, content: e.message.content });
  });
  try {
    const started = await deps.arena.startDebate({
      ideaId: idea.id,
      origin: 'cli',
      startedBy: 'arena cycle',
    });
    debateId = started.debateId;
    progress({ kind: 'debate', n: 4, title: idea.title, ideaId: idea.id, debateId });
    const end = await deps.runner.run(debateId);
    const detail = await deps.arena.getDebate(debateId);
    if (end === 'completed' && detail?.plan)
      progress({ kind: 'plan', n: 5, title: detail.plan.title, debateId });
    else if (end === 'completed')
      progress({ kind: 'outcome', n: 5, outcome: detail?.outcome ?? null, debateId });
    return {
      debated: true,
      ideaId: idea.id,
      debateId,
      end,
      outcome: detail?.outcome ?? null,
      planTitle: detail?.plan?.title ?? null,
      pauseReason: detail?.pauseReason ?? null,
    };
  } finally {
    unsubscribe();
  }
}

/** One progress line as `arena cycle` prints it and the dashboard's OUTPUT shows it. */
export function cycleLine(p: CycleProgress): string {
  switch (p.kind) {
    case 'step':
      return `[${p.n}/${CYCLE_STEPS}] ${p.label}…`;
    case 'step.done':
      return summary(p.result);
    case 'no_idea':
      return `[4/${CYCLE_STEPS}] no pending idea to debate; add one with \`arena ideas add "…"\``;
    case 'debate':
      return `[4/${CYCLE_STEPS}] debating "${p.title}"`;
    case 'phase':
      return `      ${p.phase} · round ${p.round}/${p.totalRounds}`;
    case 'message':
      return `      ${p.agentName}: ${p.content.replace(/\s+/g, ' ').slice(0, 100)}`;
    case 'plan':
      return `[5/${CYCLE_STEPS}] plan "${p.title}" written (arena debates export ${p.debateId})`;
    case 'outcome':
      return `[5/${CYCLE_STEPS}] outcome: ${p.outcome ?? 'none'}; no plan (only selected ideas get one)`;
  }
}

function summary(result: Record<string, unknown> | null): string {
  if (!result) return 'done';
  return Object.entries(result)
    .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}
