import { PLAN_SECTION_LABELS } from '../../personas/index.ts';
import type { Lang, PlanSection } from '../../personas/types.ts';
import type { DebateDetailView, PlanView } from '../api.ts';
import type { DebateMessageView } from '../events.ts';
import { LABELS, type Labels } from './labels.ts';

/**
 * A debate as a Markdown document: a header with status and spending, the transcript by phase and
 * round (each message anchored, its references linked), verdict scores, and the plan.
 */
export function exportDebateMarkdown(detail: DebateDetailView, lang: Lang): string {
  const l = LABELS[lang];
  const byId = new Map(detail.messages.map((m) => [m.id, m]));
  const out: string[] = [`# ${detail.title}`, '', ...header(detail, l), '', `## ${l.transcript}`];
  let section = '';
  for (const m of detail.messages) {
    const heading = sectionOf(m, detail, l);
    if (heading !== section) {
      out.push('', `### ${heading}`);
      section = heading;
    }
    out.push('', ...messageBlock(m, byId, l));
  }
  if (detail.plan) out.push('', ...planBlock(detail.plan, lang, l));
  return `${out.join('\n').trimEnd()}\n`;
}

function header(d: DebateDetailView, l: Labels): string[] {
  const status = d.outcome ? `${l.status[d.status]} · ${l.outcome[d.outcome]}` : l.status[d.status];
  const tokens = d.promptTokens + d.completionTokens;
  return [
    `- **${status}**${d.pauseReason ? ` (${d.pauseReason})` : ''}`,
    `- ${l.started}: ${d.startedAt.replace('T', ' ').slice(0, 16)} UTC`,
    `- ${l.tokens}: ${tokens.toLocaleString('en-US')} (${d.promptTokens.toLocaleString('en-US')} + ${d.completionTokens.toLocaleString('en-US')})`,
    `- ${l.cost}: $${d.costUsd.toFixed(4)}`,
  ];
}

function sectionOf(m: DebateMessageView, d: DebateDetailView, l: Labels): string {
  if (m.phase !== 'divergence') return l.phase[m.phase];
  // Divergence after a convergence is the refinement loop.
  const refinement = d.messages.some((x) => x.phase === 'convergence' && x.turnIndex < m.turnIndex);
  return `${l.phase.divergence} · ${l.round} ${m.round}${refinement ? ` (${l.refinement})` : ''}`;
}

function messageBlock(m: DebateMessageView, byId: Map<string, DebateMessageView>, l: Labels): string[] {
  const who =
    m.authorKind === 'human'
      ? `**${m.agentName}** (${l.person})`
      : `**${m.agentName}**${m.handle ? ` (@${m.handle})` : ''}`;
  const verdict = m.metadata?.verdict as { score?: number } | null | undefined;
  const score = m.type === 'verdict' && verdict?.score !== undefined ? ` · **${verdict.score}/10**` : '';
  const lines = [`<a id="m-${m.turnIndex}"></a>`, `#${m.turnIndex} · ${who} · _${l.type[m.type]}_${score}`];
  const refs = m.references
    .map((id) => byId.get(id))
    .filter((r): r is DebateMessageView => r !== undefined)
    .map((r) => `[#${r.turnIndex} ${r.agentName}](#m-${r.turnIndex})`);
  if (refs.length > 0) lines.push(`↳ ${l.repliesTo} ${refs.join(', ')}`);
  const body = m.authorKind === 'human' ? m.content.split('\n').map((x) => `> ${x}`) : [m.content];
  return [...lines, '', ...body];
}

const SECTIONS: Array<[PlanSection, keyof PlanView]> = [
  ['prd', 'prd'],
  ['architecture', 'architecture'],
  ['user_research', 'userResearch'],
  ['business_model', 'businessModel'],
  ['project_plan', 'projectPlan'],
];

function planBlock(plan: PlanView, lang: Lang, l: Labels): string[] {
  const out = [`## ${l.plan}: ${plan.title}`];
  for (const [section, key] of SECTIONS) {
    const text = plan[key];
    if (!text) continue;
    const label = PLAN_SECTION_LABELS[section][lang];
    out.push('', `### ${label.charAt(0).toUpperCase()}${label.slice(1)}`, '', text);
  }
  if (plan.finalPlan) out.push('', `### ${l.finalPlan}`, '', plan.finalPlan);
  return out;
}
