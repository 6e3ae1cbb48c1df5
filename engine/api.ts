import type { Kysely } from 'kysely';
import type { Database, DebateOutcome, DebateStatus, IdeaStatus } from '../db/schema.ts';
import type { Lang, Persona, Phase } from '../personas/types.ts';
import type { BudgetSnapshot, DebateMessageView } from './events.ts';
import type { Admission } from './llm/router/types.ts';

export interface StartDebateInput {
  /** Free text of the idea; ignored when ideaId is given. */
  idea?: string;
  ideaId?: string;
  rounds?: number;
  lang?: Lang;
  /** Where it was started: 'cli' | 'dashboard' | 'discord' | 'slack' | 'scheduler'. */
  origin: string;
  /** Who started it (display name), for the record. */
  startedBy?: string;
  /** Per-debate spending cap in USD; defaults to the configured cap. */
  budgetCapUsd?: number;
  /**
   * Runs inside the transaction that creates the debate (e.g. binding the chat thread it was
   * started from), so the debate never exists without it: a failure here creates nothing.
   */
  withinCreation?: (trx: Kysely<Database>, debateId: string) => Promise<void>;
}

export interface HumanMessageInput {
  /** Display name kept as the author. */
  author: string;
  /** Stable id of the person on their platform, e.g. `discord:1234`. */
  authorId: string;
  text: string;
  /** Persona this message replies to (a reply to a persona's chat post), if known. */
  replyToPersonaId?: string;
  /**
   * The platform's id of the message (`discord:<message id>`): a message delivered twice (gateway
   * replay, Slack retry, two bot processes) is stored once; the second call returns `duplicate`.
   */
  sourceId?: string;
}

export interface DebateSummaryView {
  id: string;
  ideaId: string;
  title: string;
  status: DebateStatus;
  pauseReason: string | null;
  phase: Phase;
  round: number;
  totalRounds: number;
  /**
   * How far the current phase went, in its own unit: divergence rounds (round/totalRounds),
   * evaluators who answered in this convergence cycle, plan sections written (the final plan included).
   */
  progress: { done: number; total: number };
  outcome: DebateOutcome | null;
  lang: Lang;
  messageCount: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  startedAt: string;
  completedAt: string | null;
}

export interface PlanView {
  id: string;
  title: string;
  prd: string | null;
  architecture: string | null;
  userResearch: string | null;
  businessModel: string | null;
  projectPlan: string | null;
  finalPlan: string | null;
}

export interface DebateDetailView extends DebateSummaryView {
  messages: DebateMessageView[];
  plan: PlanView | null;
}

/** An idea as lists show it. */
export interface IdeaSummaryView {
  id: string;
  title: string;
  status: IdeaStatus;
  score: number;
  createdAt: string;
}

/** A person's idea added to the backlog, or why not (a near-duplicate, or not 3–500 characters). */
export type AddIdeaResult =
  | { ok: true; idea: IdeaSummaryView }
  | { ok: false; reason: 'duplicate'; similarTo: string }
  | { ok: false; reason: 'invalid'; error: string };

/** Why a request about a debate could not be done; expected outcomes are values. */
export type ControlResult =
  | { ok: true }
  | { ok: false; reason: 'not_found' | 'already_finished' | 'not_paused' | 'already_paused' | 'budget' };

/**
 * What the chat platforms, the dashboard and the CLI may ask of the engine.
 * Nothing outside engine/ touches debate tables directly.
 */
export interface Arena {
  /**
   * Throws DebateInputError for bad input, DebateRefusedError while the LLM queue is full or the
   * provider does not answer (nothing is created then).
   */
  startDebate(input: StartDebateInput): Promise<{ debateId: string; ideaId: string; title: string }>;
  /** Whether startDebate would be admitted now (a chat start asks before opening its thread). */
  admit(): Promise<Admission>;
  pause(debateId: string, reason?: string): Promise<ControlResult>;
  resume(debateId: string): Promise<ControlResult>;
  stop(debateId: string): Promise<ControlResult>;
  injectHuman(
    debateId: string,
    input: HumanMessageInput,
  ): Promise<
    | { ok: true; message: DebateMessageView; nextPersonaId: string | null }
    | { ok: false; reason: 'not_found' | 'already_finished' | 'duplicate' }
  >;
  getDebate(debateId: string): Promise<DebateDetailView | null>;
  listDebates(filter?: { status?: DebateStatus; limit?: number }): Promise<DebateSummaryView[]>;
  listIdeas(filter?: { status?: IdeaStatus; limit?: number }): Promise<IdeaSummaryView[]>;
  /** A person's idea (`traditional`), pending a debate; refused when near-duplicate of an existing one. */
  addIdea(input: { title: string; summary?: string; by: string }): Promise<AddIdeaResult>;
  budget(): Promise<BudgetSnapshot>;
  personas(): readonly Persona[];
}
