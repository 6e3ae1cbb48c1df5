import { PLAN_SECTION_LABELS } from '../../personas/index.ts';
import type { Lang, PlanSection } from '../../personas/types.ts';
import type { DebateDetailView, PlanView } from '../api.ts';
import type { DebateMessageView } from '../events.ts';
import { safeMarkdownInline as inline, safeMarkdown } from '../text/markdown-safe.ts';
import { LABELS, type Labels, pauseReasonText } from './labels.ts';

/**
 * A debate as a Markdown document (foreign text with control characters stripped and HTML escaped): a header with status and spending, the transcript by phase and
 * round (each message anchored, its references linked), verdict scores, and the plan.
 */
export function exportDebateMarkdown(detail: DebateDetailView, lang: Lang): string {
  const l = LABELS[lang];
  const byId = new Map(detail.messages.map((m) => [m.id, m]));
  const out: string[] = [
    `# ${inline(detail.title)}`,
    '',
    ...header(detail, l, lang),
    '',
    `## ${l.transcript}`,
  ];
  let section = '';
  for (const m of detail.messages) {
    const heading = sectionOf(m, detail, l);
    if (heading !== section) {
      out.push('', `### ${heading}`);
      section = heading;
    }
    out.push('', ...messageBlock(m, byId, l, lang));
  }
  if (detail.plan) out.push('', ...planBlock(detail.plan, lang, l));
  return `${out.join('\n').trimEnd()}\n`;
}

const n = (x: number) => x.toLocaleString('en-US');

function header(d: DebateDetailView, l: Labels, lang: Lang): string[] {
  const status = d.outcome ? `${l.status[d.status]} · ${l.outcome[d.outcome]}` : l.status[d.status];
  const tokens = d.promptTokens + d.completionTokens;
  return [
    `- **${status}**${d.pauseReason ? ` (${inline(pauseReasonText(d.pauseReason, lang))})` : ''}`,
    `- ${l.started}: ${d.startedAt.replace('T', ' ').slice(0, 16)} UTC`,
    `- ${l.tokens}: ${n(tokens)} (${l.tokensIn} ${n(d.promptTokens)}, ${l.tokensOut} ${n(d.completionTokens)})`,
    `- ${l.cost}: $${d.costUsd.toFixed(4)}`,
  ];
}

function sectionOf(m: DebateMessageView, d: DebateDetailView, l: Labels): string {
  if (m.phase !== 'divergence') return l.phase[m.phase];
  // Divergence after a convergence is the refinement loop.
  const refinement = d.messages.some((x) => x.phase === 'convergence' && x.turnIndex < m.turnIndex);
  return `${l.phase.divergence} · ${l.round} ${m.round}${refinement ? ` (${l.refinement})` : ''}`;
}

function messageBlock(
  m: DebateMessageView,
  byId: Map<string, DebateMessageView>,
  l: Labels,
  lang: Lang,
): string[] {
  const who =
    m.authorKind === 'human'
      ? `**${inline(m.agentName)}** (${l.person})`
      : `**${inline(m.agentName)}**${m.handle ? ` (@${inline(m.handle)})` : ''}`;
  const verdict = m.metadata?.verdict as { score?: number } | null | undefined;
  const score = m.type === 'verdict' && verdict?.score !== undefined ? ` · **${verdict.score}/10**` : '';
  const lines = [`<a id="m-${m.turnIndex}"></a>`, `#${m.turnIndex} · ${who} · _${l.type[m.type]}_${score}`];
  const refs = m.references
    .map((id) => byId.get(id))
    .filter((r): r is DebateMessageView => r !== undefined)
    .map((r) => `[#${r.turnIndex} ${inline(r.agentName).replace(/[[\]]/g, '')}](#m-${r.turnIndex})`);
  if (refs.length > 0) lines.push(`↳ ${l.repliesTo} ${refs.join(', ')}`);
  if (m.type === 'plan') {
    // Plan text is printed once, in the plan below; the transcript points to it.
    const section = (m.metadata?.step as { section?: PlanSection } | undefined)?.section;
    return [
      ...lines,
      '',
      `→ [${section ? sectionTitle(section, lang) : l.finalPlan}](#plan-${section ?? 'final'})`,
    ];
  }
  const content = safeMarkdown(m.content);
  const body = m.authorKind === 'human' ? content.split('\n').map((x) => `> ${x}`) : [nest(content, 5)];
  return [...lines, '', ...body];
}

/** Pushes a model's Markdown headings below `level`, so they never outrank the document's own. */
function nest(markdown: string, level: number): string {
  return markdown.replace(/^(#{1,6})(?=\s)/gm, (h) => '#'.repeat(Math.min(6, h.length + level - 1)));
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

function planBlock(plan: PlanView, lang: Lang, l: Labels): string[] {
  const out = [`## ${l.plan}: ${inline(plan.title)}`];
  for (const [section, key] of SECTIONS) {
    const text = plan[key];
    if (text)
      out.push(
        '',
        `<a id="plan-${section}"></a>`,
        `### ${sectionTitle(section, lang)}`,
        '',
        nest(safeMarkdown(text), 4),
      );
  }
  if (plan.finalPlan)
    out.push('', '<a id="plan-final"></a>', `### ${l.finalPlan}`, '', nest(safeMarkdown(plan.finalPlan), 4));
  return out;
}
