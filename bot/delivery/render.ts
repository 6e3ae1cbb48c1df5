import { z } from 'zod';
import type { DebateOutcome } from '../../db/schema.ts';
import type { DebateMessageView } from '../../engine/events.ts';
import { avatarUrlFor } from '../../personas/index.ts';
import type { Lang, Persona, Phase } from '../../personas/types.ts';
import type { Embed, Identity } from '../platform.ts';

/** What an outbox row carries: the whole post, so delivery needs nothing but the row. */
export const outboxPayloadSchema = z.object({
  text: z.string().optional(),
  embed: z
    .object({
      title: z.string(),
      description: z.string().optional(),
      color: z.string().optional(),
      fields: z
        .array(z.object({ name: z.string(), value: z.string(), inline: z.boolean().optional() }))
        .optional(),
      footer: z.string().optional(),
    })
    .optional(),
  identity: z.object({ username: z.string(), avatarUrl: z.string() }).optional(),
  /** Persona behind the post, so a reply to it can be routed back to that persona. */
  personaId: z.string().optional(),
  turnIndex: z.number().int().optional(),
});
export type OutboxPayload = z.infer<typeof outboxPayloadSchema>;

export const OUTBOX_KIND = {
  persona: 'persona',
  banner: 'banner',
  notice: 'notice',
  system: 'system',
} as const;

export function messageKey(messageId: string): string {
  return `msg:${messageId}`;
}

/** One banner per divergence round, one per later phase. */
export function bannerKey(phase: Phase, round: number): string {
  return phase === 'divergence' ? `banner:divergence:${round}` : `banner:${phase}`;
}

const PHASE_COLOR: Record<Phase, string> = {
  divergence: '#3b82f6',
  convergence: '#f59e0b',
  planning: '#10b981',
};

const LABELS = {
  en: {
    divergence: 'Divergence',
    convergence: 'Convergence',
    planning: 'Planning',
    round: 'round',
    brief: {
      divergence: 'Personas propose, challenge and refine the idea.',
      convergence: 'Evaluators score the idea through their own lens.',
      planning: 'Planners write the PRD, architecture, research, business model and project plan.',
    },
    via: 'via',
    paused: 'Paused',
    resumed: 'Resumed — the debate continues.',
    resumeHint: 'A debate manager can `/arena resume`.',
    outcome: { selected: 'Selected', rejected: 'Rejected', needs_refinement: 'Needs refinement' },
    finished: 'Debate finished',
    stopped: 'Debate stopped',
    failed: 'Debate failed',
    exportHint: '`/arena export` attaches the transcript and plan as Markdown.',
  },
  ko: {
    divergence: '발산',
    convergence: '수렴',
    planning: '기획',
    round: '라운드',
    brief: {
      divergence: '페르소나들이 아이디어를 제안하고, 반박하고, 다듬습니다.',
      convergence: '평가자들이 각자의 관점에서 아이디어를 채점합니다.',
      planning: '기획자들이 PRD, 아키텍처, 사용자 조사, 비즈니스 모델, 프로젝트 계획을 씁니다.',
    },
    via: '경유',
    paused: '일시 정지',
    resumed: '재개 — 토론이 이어집니다.',
    resumeHint: '토론 관리자가 `/arena resume`으로 재개할 수 있습니다.',
    outcome: { selected: '선정', rejected: '기각', needs_refinement: '보완 필요' },
    finished: '토론 종료',
    stopped: '토론 중단',
    failed: '토론 실패',
    exportHint: '`/arena export`로 전체 기록과 계획을 Markdown으로 받을 수 있습니다.',
  },
} as const;

export function phaseBanner(phase: Phase, round: number, totalRounds: number, lang: Lang): Embed {
  const l = LABELS[lang];
  const title = phase === 'divergence' ? `${l[phase]} · ${l.round} ${round}/${totalRounds}` : l[phase];
  return { title, description: l.brief[phase], color: PHASE_COLOR[phase] };
}

export function personaIdentity(
  persona: Persona | undefined,
  fallbackName: string,
  publicUrl: string,
  id: string,
): Identity {
  return {
    username: persona?.name ?? fallbackName,
    avatarUrl: persona ? avatarUrlFor(persona, publicUrl) : avatarUrlFor({ id }, publicUrl),
  };
}

/** The post for a committed debate message, or null when it needs none (a person's own message). */
export function messagePayload(
  m: Pick<DebateMessageView, 'authorKind' | 'agentId' | 'agentName' | 'content' | 'turnIndex'>,
  ctx: { platform: string; personas: ReadonlyMap<string, Persona>; publicUrl: string },
): { kind: string; payload: OutboxPayload } | null {
  if (m.authorKind === 'persona') {
    const persona = ctx.personas.get(m.agentId);
    return {
      kind: OUTBOX_KIND.persona,
      payload: {
        text: m.content,
        identity: personaIdentity(persona, m.agentName, ctx.publicUrl, m.agentId),
        personaId: m.agentId,
        turnIndex: m.turnIndex,
      },
    };
  }
  if (m.authorKind === 'human') {
    // People on this platform already see their own message; relay only those typed elsewhere.
    if (m.agentId.startsWith(`${ctx.platform}:`)) return null;
    const origin = m.agentId.includes(':') ? m.agentId.slice(0, m.agentId.indexOf(':')) : 'dashboard';
    return {
      kind: OUTBOX_KIND.system,
      payload: { text: `💬 **${m.agentName}** (${origin}): ${m.content}`, turnIndex: m.turnIndex },
    };
  }
  return { kind: OUTBOX_KIND.system, payload: { text: `📝 ${m.content}`, turnIndex: m.turnIndex } };
}

export function pausedNotice(reason: string, lang: Lang): OutboxPayload {
  const l = LABELS[lang];
  return { text: `⏸️ **${l.paused}** (${reason}). ${l.resumeHint}` };
}

export function resumedNotice(lang: Lang): OutboxPayload {
  return { text: `▶️ ${LABELS[lang].resumed}` };
}

/** The post for a debate notice, or null when another post says it (a stop: the end banner). */
export function noticePayload(
  n: { kind: 'paused' | 'resumed' | 'stopped'; reason: string | null },
  lang: Lang,
): OutboxPayload | null {
  if (n.kind === 'paused') return pausedNotice(n.reason ?? 'user', lang);
  if (n.kind === 'resumed') return resumedNotice(lang);
  return null;
}

export function noticeKey(seq: number): string {
  return `notice:${seq}`;
}

export function endBanner(
  status: 'completed' | 'cancelled' | 'failed',
  outcome: DebateOutcome | null,
  lang: Lang,
): OutboxPayload {
  const l = LABELS[lang];
  const title =
    status === 'completed'
      ? `${l.finished}${outcome ? ` — ${l.outcome[outcome]}` : ''}`
      : status === 'cancelled'
        ? l.stopped
        : l.failed;
  const color =
    status === 'completed' && outcome === 'selected'
      ? '#10b981'
      : status === 'failed'
        ? '#ef4444'
        : '#6b7280';
  return { embed: { title, description: l.exportHint, color } };
}
