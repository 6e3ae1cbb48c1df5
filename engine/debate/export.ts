import type { Lang } from '../../personas/types.ts';
import type { DebateDetailView } from '../api.ts';
import { safeMarkdownInline as inline, safeMarkdown } from '../text/markdown-safe.ts';
import { debateTranscript, type Transcript, type TranscriptEntry } from './transcript.ts';

/**
 * A debate as a Markdown document (foreign text with control characters stripped and HTML escaped): a header with status and spending, the transcript by phase and
 * round (each message anchored, its references linked), verdict scores, and the plan.
 */
export function exportDebateMarkdown(detail: DebateDetailView, lang: Lang): string {
  const t = debateTranscript(detail, lang);
  const l = t.labels;
  const out: string[] = [`# ${inline(t.title)}`, '', ...header(t), '', `## ${l.transcript}`];
  for (const section of t.sections) {
    out.push('', `### ${section.heading}`);
    for (const entry of section.entries) out.push('', ...messageBlock(entry, t));
  }
  if (t.plan) {
    out.push('', `## ${l.plan}: ${inline(t.plan.title)}`);
    for (const part of t.plan.parts)
      out.push('', `<a id="plan-${part.id}"></a>`, `### ${part.title}`, '', nest(safeMarkdown(part.text), 4));
  }
  return `${out.join('\n').trimEnd()}\n`;
}

const n = (x: number) => x.toLocaleString('en-US');

function header(t: Transcript): string[] {
  const l = t.labels;
  return [
    `- **${t.status}**${t.pauseReason ? ` (${inline(t.pauseReason)})` : ''}`,
    `- ${l.started}: ${t.startedAt.replace('T', ' ').slice(0, 16)} UTC`,
    `- ${l.tokens}: ${n(t.tokens.prompt + t.tokens.completion)} (${l.tokensIn} ${n(t.tokens.prompt)}, ${l.tokensOut} ${n(t.tokens.completion)})`,
    `- ${l.cost}: $${t.costUsd.toFixed(4)}`,
  ];
}

function messageBlock(entry: TranscriptEntry, t: Transcript): string[] {
  const l = t.labels;
  const m = entry.message;
  const who =
    m.authorKind === 'human'
      ? `**${inline(m.agentName)}** (${l.person})`
      : `**${inline(m.agentName)}**${m.handle ? ` (@${inline(m.handle)})` : ''}`;
  const score = entry.score !== null ? ` · **${entry.score}/10**` : '';
  const lines = [`<a id="m-${m.turnIndex}"></a>`, `#${m.turnIndex} · ${who} · _${l.type[m.type]}_${score}`];
  const refs = entry.references.map(
    (r) => `[#${r.turnIndex} ${inline(r.agentName).replace(/[[\]]/g, '')}](#m-${r.turnIndex})`,
  );
  if (refs.length > 0) lines.push(`↳ ${l.repliesTo} ${refs.join(', ')}`);
  // Plan text is printed once, in the plan below; the transcript points to it.
  if (entry.planPart) return [...lines, '', `→ [${entry.planPart.title}](#plan-${entry.planPart.id})`];
  const content = safeMarkdown(m.content);
  const body = m.authorKind === 'human' ? content.split('\n').map((x) => `> ${x}`) : [nest(content, 5)];
  return [...lines, '', ...body];
}

/** Pushes a model's Markdown headings below `level`, so they never outrank the document's own. */
function nest(markdown: string, level: number): string {
  return markdown.replace(/^(#{1,6})(?=\s)/gm, (h) => '#'.repeat(Math.min(6, h.length + level - 1)));
}
