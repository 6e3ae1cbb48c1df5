import type { AuthorKind, DebateOutcome, MessageType } from '../db/schema.ts';
import type { Lang, Phase } from '../personas/types.ts';

/** A debate message as every viewer (chat, dashboard, terminal) sees it. */
export interface DebateMessageView {
  id: string;
  debateId: string;
  turnIndex: number;
  phase: Phase;
  round: number;
  authorKind: AuthorKind;
  /** Persona id, or the human's platform user id, or 'system'. */
  agentId: string;
  agentName: string;
  /** Persona handle (without @); null for humans and system notes. */
  handle: string | null;
  color: string | null;
  type: MessageType;
  content: string;
  references: string[];
  model: string | null;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  metadata: Record<string, unknown> | null;
  createdAt: string;
}

export interface BudgetWindow {
  spentUsd: number;
  reservedUsd: number;
  limitUsd: number;
  tokens: number;
}

export interface BudgetSnapshot {
  day: BudgetWindow & { date: string };
  month: BudgetWindow & { month: string };
}

interface Base {
  /** ISO timestamp from the engine's clock. */
  at: string;
}

export type ArenaEvent =
  | (Base & {
      type: 'debate.created';
      debateId: string;
      ideaId: string;
      title: string;
      lang: Lang;
      rounds: number;
      /** Where the debate was started from: 'cli', 'dashboard', 'discord', 'slack', 'scheduler'. */
      origin: string;
    })
  | (Base & { type: 'phase.changed'; debateId: string; phase: Phase; round: number; totalRounds: number })
  | (Base & {
      type: 'turn.started';
      debateId: string;
      turnIndex: number;
      personaId: string;
      handle: string;
      reaction: MessageType;
      targetMessageId: string | null;
    })
  | (Base & { type: 'message.delta'; debateId: string; turnIndex: number; personaId: string; delta: string })
  | (Base & { type: 'message.created'; debateId: string; message: DebateMessageView })
  | (Base & { type: 'debate.paused'; debateId: string; reason: string })
  | (Base & { type: 'debate.resumed'; debateId: string })
  | (Base & {
      type: 'debate.completed';
      debateId: string;
      status: 'completed' | 'cancelled' | 'failed';
      outcome: DebateOutcome | null;
      planId: string | null;
    })
  | (Base & { type: 'budget.updated'; budget: BudgetSnapshot })
  | (Base & { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; source: string; message: string });

export type ArenaEventType = ArenaEvent['type'];
export type EventOf<T extends ArenaEventType> = Extract<ArenaEvent, { type: T }>;

/** Distributes engine events to every viewer. Memory and Redis implementations. */
export interface EventBus {
  publish(event: ArenaEvent): Promise<void>;
  subscribe(listener: (event: ArenaEvent) => void): () => void;
  close(): Promise<void>;
}
