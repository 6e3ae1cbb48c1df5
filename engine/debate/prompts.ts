import { buildSystemPrompt } from '../../personas/index.ts';
import type { Lang, Persona } from '../../personas/types.ts';
import {
  CONTEXT_SAFETY,
  DIGEST_LINE_CHARS,
  DIGEST_SHARE,
  MAX_TOKENS,
  SYSTEM_PROMPT_MAX_CHARS,
  TEMPERATURE,
} from '../constants.ts';
import { estimateTokens } from '../llm/tokens.ts';
import type { ChatMessage, ChatMetadata } from '../llm/types.ts';
import { oneLineSafe, quoteLines, quoteName } from '../text/sanitize.ts';
import { BRIEFS, type Briefs, sectionLabel } from './briefs.ts';
import type { HistoryEntry } from './history.ts';
import type { Cast } from './plan/cast.ts';
import type { ActiveStep } from './plan/planner.ts';
import { VERDICT_SHAPE } from './verdict.ts';

export type LlmStep = Exclude<ActiveStep, { kind: 'outcome' }>;

export interface PromptInput {
  step: LlmStep;
  lang: Lang;
  idea: { title: string; summary: string };
  /** Committed messages before this step. */
  history: readonly HistoryEntry[];
  cast: Cast;
  rounds: number;
  /** Context window of the model that will answer. */
  contextTokens: number;
}

export interface BuiltPrompt {
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number;
  json: boolean;
  metadata: ChatMetadata;
}

/**
 * A call's prompt: the speaker's system prompt, then the idea, where the debate stands, the recent
 * transcript verbatim within the model's token budget (older messages as the phase summary or
 * one-line digests), and the one task of this call.
 */
export function buildPrompt(input: PromptInput): BuiltPrompt {
  const { step, lang, cast } = input;
  const b = BRIEFS[lang];
  const speaker = 'speakerId' in step ? cast.byId.get(step.speakerId) : undefined;
  const kind = step.kind === 'section' ? 'plan' : step.kind;
  const system = speaker
    ? // Never sliced: the builder shortens the persona's own text so its safety rules always fit.
      buildSystemPrompt(speaker, { lang, phase: step.phase, budgetChars: SYSTEM_PROMPT_MAX_CHARS })
    : b.moderatorSystem;
  // The idea is someone's text (a person, a feed): quoted like any other.
  const idea = `${b.idea}\n${quoteLines(input.idea.title)}${input.idea.summary !== input.idea.title ? `\n${quoteLines(input.idea.summary)}` : ''}`;
  const task = taskOf(input, b);
  const maxTokens = MAX_TOKENS[kind];
  const fixed = estimateTokens(system) + estimateTokens(idea) + estimateTokens(task) + 64;
  const budget = Math.max(200, Math.floor(input.contextTokens * CONTEXT_SAFETY) - maxTokens - fixed);
  const { earlier, entries } = scopeOf(step, input.history);
  const transcript = fitTranscript(entries, earlier, budget, new Set(step.refs), cast, b);
  const target = input.history.find((e) => e.turnIndex === step.targetTurn);
  return {
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: [idea, phaseLine(input, b), transcript, task].filter(Boolean).join('\n\n') },
    ],
    maxTokens,
    temperature: TEMPERATURE[kind],
    json: step.kind === 'verdict',
    metadata: {
      personaId: speaker?.id ?? 'moderator',
      task: step.kind === 'section' || step.kind === 'final' ? 'plan' : step.kind,
      lang,
      phase: step.phase,
      idea: input.idea.title,
      round: step.round,
      ...(step.kind === 'turn' ? { reaction: step.reaction } : {}),
      ...(step.kind === 'section'
        ? { planSection: step.section }
        : step.kind === 'final'
          ? { planSection: 'final' as const }
          : {}),
      ...(target ? { targetText: target.content.slice(0, 500), targetAuthor: target.agentName } : {}),
    },
  };
}

function phaseLine(input: PromptInput, b: Briefs): string {
  const { step, rounds } = input;
  if (step.phase === 'convergence') return b.phase.convergence;
  if (step.phase === 'planning') return b.phase.planning;
  return step.round > rounds ? b.phase.refinement(step.round) : b.phase.divergence(step.round, rounds);
}

function taskOf(input: PromptInput, b: Briefs): string {
  const { step, history } = input;
  const label = (turn: number | undefined) => {
    const e = history.find((x) => x.turnIndex === turn);
    return e ? `${nameOf(e)} (#${e.turnIndex})` : '';
  };
  const target = history.find((e) => e.turnIndex === step.targetTurn);
  const person = target?.authorKind === 'human' ? b.answerPerson(nameOf(target)) : '';
  switch (step.kind) {
    case 'turn':
      return (
        person ||
        b.reaction(
          step.reaction,
          label(step.refs[0]),
          step.refs[1] === undefined ? undefined : label(step.refs[1]),
        )
      );
    case 'summary':
      return [b.summary, person].filter(Boolean).join('\n');
    case 'verdict':
      return [person, b.verdict(VERDICT_SHAPE)].filter(Boolean).join('\n');
    case 'section':
      return [b.section(sectionLabel(step.section, input.lang)), person].filter(Boolean).join('\n');
    case 'final':
      return [b.final, person].filter(Boolean).join('\n');
  }
}

/** What a step needs to see: the latest summary, and the messages it stands for or that followed it. */
function scopeOf(
  step: LlmStep,
  history: readonly HistoryEntry[],
): { earlier: HistoryEntry | null; entries: HistoryEntry[] } {
  const summary = [...history].reverse().find((e) => e.step?.kind === 'summary') ?? null;
  if (step.kind === 'verdict') {
    // Each evaluator judges the discussion itself, not the other evaluators' scores.
    const entries = history.filter(
      (e) =>
        (e.phase === 'divergence' && e.step?.kind === 'turn' && e.step.cycle === step.cycle) ||
        (e.step?.kind === 'outcome' && e.step.cycle === step.cycle - 1) ||
        step.refs.includes(e.turnIndex),
    );
    return { earlier: summary, entries: entries.filter((e) => e !== summary) };
  }
  return { earlier: summary, entries: history.filter((e) => !summary || e.turnIndex > summary.turnIndex) };
}

/** Newest messages verbatim while they fit, the targets always; older ones as digest lines. */
function fitTranscript(
  entries: readonly HistoryEntry[],
  earlier: HistoryEntry | null,
  budget: number,
  must: ReadonlySet<number>,
  cast: Cast,
  b: Briefs,
): string {
  let left = budget;
  const parts: string[] = [];
  if (earlier) {
    const text = `${b.earlier}\n${clip(earlier.content, Math.floor(budget / 3))}`;
    left -= estimateTokens(text);
    parts.push(text);
  }
  const rendered = entries.map((e) => {
    const text = render(e, cast, b, Math.max(100, Math.floor(budget / 3)));
    return { e, text, cost: estimateTokens(text) };
  });
  // When not everything fits, part of the room goes to one-line digests of the older messages.
  const total = rendered.reduce((n, r) => n + r.cost, 0);
  let room = total <= left ? left : Math.floor(left * (1 - DIGEST_SHARE));
  const kept: string[] = [];
  const dropped: HistoryEntry[] = [];
  for (const { e, text, cost } of rendered.reverse()) {
    if ((dropped.length === 0 && cost <= room) || must.has(e.turnIndex)) {
      kept.unshift(text);
      room -= cost;
      left -= cost;
    } else {
      dropped.unshift(e);
    }
  }
  const digest: string[] = [];
  for (const e of [...dropped].reverse()) {
    const line = `- #${e.turnIndex} ${nameOf(e)} (${e.type}): ${clip(oneLine(e.content), DIGEST_LINE_CHARS)}`;
    if (estimateTokens(line) > left) break;
    digest.unshift(line);
    left -= estimateTokens(line);
  }
  const omitted = dropped.length - digest.length;
  if (digest.length > 0 || omitted > 0) {
    parts.push(
      [...(earlier ? [] : [b.earlier]), ...(omitted > 0 ? [b.omitted(omitted)] : []), ...digest].join('\n'),
    );
  }
  if (kept.length > 0) {
    const quotes = entries.some((e) => e.authorKind === 'human');
    parts.push([b.recent, ...(quotes ? [b.quoteNote] : []), ...kept].join('\n\n'));
  }
  return parts.join('\n\n');
}

function render(e: HistoryEntry, cast: Cast, b: Briefs, maxTokens: number): string {
  const content = clip(e.content, maxTokens * 3);
  if (e.authorKind === 'human') {
    return `[#${e.turnIndex}] ${b.person(nameOf(e))}\n${quoteLines(content)}`;
  }
  const persona: Persona | undefined = cast.byId.get(e.agentId);
  const who = persona ? `${persona.name} (@${persona.handle})` : e.agentName;
  const refs = e.refs.length > 0 ? ` → ${e.refs.map((r) => `#${r}`).join(', ')}` : '';
  return `[#${e.turnIndex}] ${who} · ${e.type}${refs}\n${content}`;
}

/** A person's display name only ever reaches a prompt sanitised to one line and quoted. */
function nameOf(e: HistoryEntry): string {
  return e.authorKind === 'human' ? quoteName(e.agentName) : e.agentName;
}

function oneLine(text: string): string {
  return oneLineSafe(text);
}

function clip(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, Math.max(0, chars - 1))}…`;
}
