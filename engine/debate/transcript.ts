import { PLAN_SECTION_LABELS } from '../../personas/index.ts';
import type { Lang, PlanSection } from '../../personas/types.ts';
import type { DebateDetailView, PlanView } from '../api.ts';
import type { DebateMessageView } from '../events.ts';
import { LABELS, type Labels, pauseReasonText } from './labels.ts';

/**
 * A debate laid out for reading, whatever the medium: the Markdown export and `arena debates show`
 * render this one structure, so both show the same title, status, phases and rounds, references,
 * verdict scores and plan. Text here is raw; each renderer makes it safe for its medium.
 */
export interface Transcript {
  title: string;
  labels: Labels;
  /** `Completed · Selected`, or the status alone. */
  status: string;
  pauseReason: string | null;
  startedAt: string;
  tokens: { prompt: number; completion: number };
  costUsd: number;
  /** The messages by phase and round, each group under its banner. */
  sections: Array<{ heading: string; entries: TranscriptEntry[] }>;
  plan: { title: string; parts: PlanPart[] } | null;
}

export interface TranscriptEntry {
  message: DebateMessageView;
  /** The earlier messages this one answers. */
  references: DebateMessageView[];
  /** A verdict's score out of 10. */
  score: number | null;
  /** A plan turn's text lives in the plan below: which part it wrote. */
  planPart: { id: PlanSection | 'final'; title: string } | null;
}

export interface PlanPart {
  id: PlanSection | 'final';
  title: string;
  text: string;
}

export function debateTranscript(detail: DebateDetailView, lang: Lang): Transcript {
  const l = LABELS[lang];
  const byId = new Map(detail.messages.map((m) => [m.id, m]));
  const sections: Transcript['sections'] = [];
  for (const m of detail.messages) {
    const heading = sectionOf(m, detail, l);
    if (sections.at(-1)?.heading !== heading) sections.push({ heading, entries: [] });
    const verdict = m.metadata?.verdict as { score?: number } | null | undefined;
    const section = (m.metadata?.step as { section?: PlanSection } | undefined)?.section;
    sections.at(-1)!.entries.push({
      message: m,
      references: m.references
        .map((id) => byId.get(id))
        .filter((r): r is DebateMessageView => r !== undefined),
      score: m.type === 'verdict' && typeof verdict?.score === 'number' ? verdict.score : null,
      planPart:
        m.type === 'plan'
          ? section
            ? { id: section, title: sectionTitle(section, lang) }
            : { id: 'final', title: l.finalPlan }
          : null,
    });
  }
  return {
    title: detail.title,
    labels: l,
    status: detail.outcome
      ? `${l.status[detail.status]} · ${l.outcome[detail.outcome]}`
      : l.status[detail.status],
    pauseReason: detail.pauseReason ? pauseReasonText(detail.pauseReason, lang) : null,
    startedAt: detail.startedAt,
    tokens: { prompt: detail.promptTokens, completion: detail.completionTokens },
    costUsd: detail.costUsd,
    sections,
    plan: detail.plan ? { title: detail.plan.title, parts: planParts(detail.plan, lang, l) } : null,
  };
}

function sectionOf(m: DebateMessageView, d: DebateDetailView, l: Labels): string {
  if (m.phase !== 'divergence') return l.phase[m.phase];
  // Divergence after a convergence is the refinement loop.
  const refinement = d.messages.some((x) => x.phase === 'convergence' && x.turnIndex < m.turnIndex);
  return `${l.phase.divergence} · ${l.round} ${m.round}${refinement ? ` (${l.refinement})` : ''}`;
}

function sectionTitle(section: PlanSection, lang: Lang): string {
  const label = PLAN_SECTION_LABELS[section][lang];
  return label.charAt(0).toUpperCase() + label.slice(1);
}

const SECTIONS: Array<[PlanSection, keyof PlanView]> = [
  ['prd', 'prd'],
  ['architecture', 'architecture'],
  ['user_research', 'userResearch'],
  ['business_model', 'businessModel'],
  ['project_plan', 'projectPlan'],
];

function planParts(plan: PlanView, lang: Lang, l: Labels): PlanPart[] {
  const parts: PlanPart[] = [];
  for (const [id, key] of SECTIONS) {
    const text = plan[key];
    if (typeof text === 'string' && text) parts.push({ id, title: sectionTitle(id, lang), text });
  }
  if (plan.finalPlan) parts.push({ id: 'final', title: l.finalPlan, text: plan.finalPlan });
  return parts;
}
