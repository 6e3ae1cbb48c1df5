import { phaseProgressText } from '../../dashboard/public/js/progress.js';
import type { DebateDetailView, DebateSummaryView } from '../../engine/api.ts';
import { LABELS, pauseReasonText } from '../../engine/debate/labels.ts';
import { debateTranscript, type TranscriptEntry } from '../../engine/debate/transcript.ts';
import type { ArenaEvent, DebateMessageView } from '../../engine/events.ts';
import { oneLineSafe, stripControl } from '../../engine/text/sanitize.ts';
import type { Lang, Persona } from '../../personas/types.ts';

/** Where the CLI writes; a test passes a recorder. */
export interface Output {
  write(text: string): void;
  isTTY?: boolean;
  /** Calls back once when the reader goes away (`arena debate … | head`). */
  onClose?(listener: () => void): void;
}

/** process.stdout as an Output: a closed pipe ends writing quietly instead of crashing on EPIPE. */
export function stdoutOutput(): Output {
  let closed = false;
  const listeners: Array<() => void> = [];
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
    for (const fn of listeners.splice(0)) fn();
  });
  return {
    write: (text) => {
      if (!closed) process.stdout.write(text);
    },
    isTTY: process.stdout.isTTY === true,
    onClose: (fn) => listeners.push(fn),
  };
}

export interface Style {
  color(hex: string | null, text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** ANSI truecolor on a terminal; plain text when piped or NO_COLOR is set. */
export function styleFor(out: Output, env: Record<string, string | undefined>): Style {
  const on = out.isTTY === true && !env.NO_COLOR;
  const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(';');
  return {
    color: (hex, text) =>
      on && hex && /^#[0-9a-f]{6}$/i.test(hex) ? `\x1b[38;2;${rgb(hex)}m${text}\x1b[39m` : text,
    dim: (text) => (on ? `\x1b[2m${text}\x1b[22m` : text),
    bold: (text) => (on ? `\x1b[1m${text}\x1b[22m` : text),
  };
}

/** One debate's events as coloured terminal lines: banners, streamed turns, and a progress line. */
export function createTerminalRenderer(p: {
  out: Output;
  style: Style;
  personas: readonly Persona[];
  lang: Lang;
}) {
  const { out, style } = p;
  const l = LABELS[p.lang];
  const byId = new Map(p.personas.map((x) => [x.id, x]));
  let streaming: number | null = null;
  let phase = '';
  let tokens = 0;
  let cost = 0;
  return (event: ArenaEvent) => {
    switch (event.type) {
      case 'phase.changed': {
        // Only divergence has rounds people follow.
        const rounds = event.phase === 'divergence' ? `${event.round}/${event.totalRounds}` : '';
        phase = `${l.phase[event.phase]}${rounds ? ` ${rounds}` : ''}`;
        out.write(
          `\n${style.bold(`━━ ${l.phase[event.phase]}${rounds ? ` · ${l.round} ${rounds}` : ''} ━━`)}\n\n`,
        );
        return;
      }
      case 'turn.started': {
        const persona = byId.get(event.personaId);
        const name = persona ? `${persona.name} (@${persona.handle})` : l.moderator;
        // Verdicts stream JSON: they are printed whole when committed.
        if (event.reaction === 'verdict') return;
        out.write(
          `${style.color(persona?.color ?? null, `● ${name}`)} ${style.dim(`· ${l.type[event.reaction]}`)}\n`,
        );
        streaming = event.turnIndex;
        return;
      }
      case 'message.delta':
        if (event.turnIndex === streaming) out.write(stripControl(event.delta));
        return;
      case 'message.created': {
        const m = event.message;
        if (m.turnIndex === streaming) out.write('\n');
        else out.write(`${formatMessage(m, style, p.lang)}\n`);
        streaming = null;
        tokens += m.promptTokens + m.completionTokens;
        cost += m.costUsd;
        out.write(
          `${style.dim(`  [${phase} · ${tokens.toLocaleString('en-US')} tokens · $${cost.toFixed(4)}]`)}\n\n`,
        );
        return;
      }
      case 'debate.paused':
        out.write(
          `${style.bold(`⏸ ${l.status.paused}: ${oneLineSafe(pauseReasonText(event.reason, p.lang))}`)}\n`,
        );
        return;
      default:
        return;
    }
  };
}

/**
 * A committed message with its author line, for `debates show` and non-streamed turns. Stored text
 * is foreign: terminal escapes and control characters are stripped before it reaches the terminal.
 */
export function formatMessage(m: DebateMessageView, style: Style, lang: Lang): string {
  return `${formatHead(m, style, lang)}\n${stripControl(m.content)}`;
}

function formatHead(m: DebateMessageView, style: Style, lang: Lang): string {
  const l = LABELS[lang];
  const name = oneLineSafe(m.agentName);
  const who =
    m.authorKind === 'human'
      ? `${name} (${l.person})`
      : `${name}${m.handle ? ` (@${oneLineSafe(m.handle)})` : ''}`;
  return `${style.color(m.color, `● ${who}`)} ${style.dim(`· #${m.turnIndex} ${l.type[m.type]}`)}`;
}

/** Where a debate stands in its phase: `planning · sections 6/6`, `divergence · round 2/3`. */
export function phaseProgress(d: DebateSummaryView, lang: Lang): string {
  const l = LABELS[lang];
  return phaseProgressText(d, { phase: (p) => l.phase[p].toLowerCase(), unit: (u) => l[u] });
}

/** The end of a run: outcome, spending, and the final plan. */
export function formatResult(d: DebateDetailView, style: Style, lang: Lang): string {
  const l = LABELS[lang];
  const outcome = d.outcome ? l.outcome[d.outcome] : l.status[d.status];
  const lines = [
    style.bold(`${oneLineSafe(d.title)}: ${outcome}`),
    style.dim(
      `${d.messageCount} messages · ${(d.promptTokens + d.completionTokens).toLocaleString('en-US')} tokens · $${d.costUsd.toFixed(4)} · id ${d.id}`,
    ),
  ];
  if (d.plan?.finalPlan) lines.push('', style.bold(`${l.finalPlan}`), '', stripControl(d.plan.finalPlan));
  return `${lines.join('\n')}\n`;
}

/**
 * A whole debate for `arena debates show`: the same layout as the Markdown export (title, status and
 * spending, phase and round banners, references, verdict scores, the plan), for a terminal.
 */
export function formatTranscript(d: DebateDetailView, style: Style, lang: Lang): string {
  const t = debateTranscript(d, lang);
  const l = t.labels;
  const n = (x: number) => x.toLocaleString('en-US');
  const out = [
    style.bold(oneLineSafe(t.title)),
    `${t.status}${t.pauseReason ? ` (${oneLineSafe(t.pauseReason)})` : ''}`,
    style.dim(
      `${l.started} ${t.startedAt.replace('T', ' ').slice(0, 16)} UTC · ${n(t.tokens.prompt + t.tokens.completion)} ${l.tokens.toLowerCase()} · $${t.costUsd.toFixed(4)} · id ${d.id}`,
    ),
  ];
  for (const section of t.sections) {
    out.push('', style.bold(`━━ ${section.heading} ━━`));
    for (const entry of section.entries) out.push('', transcriptEntry(entry, style, lang));
  }
  if (t.plan) {
    out.push('', style.bold(`━━ ${l.plan}: ${oneLineSafe(t.plan.title)} ━━`));
    for (const part of t.plan.parts)
      out.push('', style.bold(part.title), '', stripControl(part.text).trimEnd());
  }
  return `${out.join('\n')}\n`;
}

function transcriptEntry(entry: TranscriptEntry, style: Style, lang: Lang): string {
  const l = LABELS[lang];
  const m = entry.message;
  const lines = [
    formatHead(m, style, lang) + (entry.score !== null ? ` ${style.bold(`${entry.score}/10`)}` : ''),
  ];
  if (entry.references.length > 0)
    lines.push(
      style.dim(
        `↳ ${l.repliesTo} ${entry.references.map((r) => `#${r.turnIndex} ${oneLineSafe(r.agentName)}`).join(', ')}`,
      ),
    );
  // A plan turn's text is printed once, in the plan at the end.
  lines.push(entry.planPart ? style.dim(`→ ${entry.planPart.title}`) : stripControl(m.content));
  return lines.join('\n');
}
