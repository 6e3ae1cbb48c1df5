import type { DebateStatus, MessageType } from '../../db/schema.ts';
import type { Lang, Phase } from '../../personas/types.ts';
import type { DecisionOutcome, OutcomeDecision } from './plan/outcome.ts';

// Words people read in transcripts, outcome notes and exports, in both languages.

export interface Labels {
  phase: Record<Phase, string>;
  outcome: Record<DecisionOutcome, string>;
  status: Record<DebateStatus, string>;
  type: Record<MessageType, string>;
  round: string;
  /** Units of a phase's progress: evaluators who answered, plan sections written. */
  verdicts: string;
  sections: string;
  refinement: string;
  repliesTo: string;
  score: string;
  plan: string;
  finalPlan: string;
  transcript: string;
  started: string;
  tokens: string;
  tokensIn: string;
  tokensOut: string;
  cost: string;
  moderator: string;
  person: string;
  unreadableVerdict: string;
  /** Why a debate is paused, in words (by pause_reason). */
  pauseReasons: Record<'budget' | 'error' | 'user' | 'evaluators_unreadable', string>;
  outcomeNote(d: OutcomeDecision): string;
}

/** A pause reason as people read it; an unknown one is shown as stored. */
export function pauseReasonText(reason: string, lang: Lang): string {
  const known = LABELS[lang].pauseReasons as Record<string, string>;
  return Object.hasOwn(known, reason) ? known[reason]! : reason;
}

const en: Labels = {
  phase: { divergence: 'Divergence', convergence: 'Convergence', planning: 'Planning' },
  outcome: {
    selected: 'selected',
    rejected: 'rejected',
    needs_refinement: 'needs refinement',
    unreadable: 'evaluators unreadable',
  },
  status: {
    active: 'active',
    paused: 'paused',
    completed: 'completed',
    cancelled: 'cancelled',
    failed: 'failed',
  },
  type: {
    propose: 'propose',
    support: 'support',
    challenge: 'challenge',
    refine: 'refine',
    merge: 'merge',
    human: 'human',
    summary: 'summary',
    verdict: 'verdict',
    plan: 'plan',
  },
  round: 'round',
  verdicts: 'verdicts',
  sections: 'sections',
  refinement: 'refinement',
  repliesTo: 'replies to',
  score: 'score',
  plan: 'Plan',
  finalPlan: 'Final plan',
  transcript: 'Transcript',
  started: 'Started',
  tokens: 'Tokens',
  tokensIn: 'prompt',
  tokensOut: 'completion',
  cost: 'Cost',
  moderator: 'Moderator',
  person: 'person',
  unreadableVerdict: 'No readable verdict: the answer was not the requested JSON, twice.',
  pauseReasons: {
    budget: 'budget limit reached',
    error: 'a step failed; it retries by itself',
    user: 'paused by a person',
    evaluators_unreadable: 'the evaluators could not be read; resume to ask them again',
  },
  outcomeNote: (d) => {
    if (d.outcome === 'unreadable') {
      return (
        `Outcome: none — the evaluators could not be read (${d.valid} of ${d.total} answered in the ` +
        'requested JSON, even when asked again with a strict format). This is not a verdict on the idea; ' +
        'nothing was decided. The debate is paused: resume it to ask the unreadable evaluators again ' +
        '(a model that follows JSON helps), or stop it.'
      );
    }
    const avg =
      d.average === null
        ? 'no readable scores'
        : `average ${d.average}/10 from ${d.valid} verdict${d.valid === 1 ? '' : 's'}`;
    const unread = d.total > d.valid ? ` (${d.total - d.valid} unreadable)` : '';
    const next = {
      selected: 'The planners take over.',
      rejected: 'The idea is set aside.',
      needs_refinement: "One more round on the evaluators' risks and conditions.",
    }[d.outcome];
    return `Outcome: ${en.outcome[d.outcome]} — ${avg}${unread}. ${next}`;
  },
};

const ko: Labels = {
  phase: { divergence: '발산', convergence: '수렴', planning: '기획' },
  outcome: {
    selected: '선정',
    rejected: '탈락',
    needs_refinement: '보완 필요',
    unreadable: '평가 판독 불가',
  },
  status: { active: '진행 중', paused: '일시정지', completed: '완료', cancelled: '취소', failed: '실패' },
  type: {
    propose: '제안',
    support: '지지',
    challenge: '반박',
    refine: '보완',
    merge: '통합',
    human: '사람',
    summary: '요약',
    verdict: '평가',
    plan: '기획',
  },
  round: '라운드',
  verdicts: '평가',
  sections: '섹션',
  refinement: '보완',
  repliesTo: '답장 대상',
  score: '점수',
  plan: '계획',
  finalPlan: '최종 계획',
  transcript: '토론 기록',
  started: '시작',
  tokens: '토큰',
  tokensIn: '입력',
  tokensOut: '출력',
  cost: '비용',
  moderator: '사회자',
  person: '사람',
  unreadableVerdict: '읽을 수 있는 평가가 없습니다: 두 번 모두 요청한 JSON 형식이 아니었습니다.',
  pauseReasons: {
    budget: '예산 한도 도달',
    error: '단계 실패 — 자동으로 다시 시도합니다',
    user: '사람이 일시정지함',
    evaluators_unreadable: '평가를 읽을 수 없음 — 재개하면 다시 묻습니다',
  },
  outcomeNote: (d) => {
    if (d.outcome === 'unreadable') {
      return (
        `결과: 없음 — 평가를 읽을 수 없습니다 (평가 ${d.total}개 중 ${d.valid}개만 요청한 JSON 형식이었고, ` +
        '엄격한 형식으로 다시 물어도 마찬가지였습니다). 아이디어에 대한 판정이 아니며 아무것도 결정되지 않았습니다. ' +
        '토론은 일시정지되었습니다: 재개하면 읽을 수 없던 평가자에게 다시 묻고(JSON을 잘 따르는 모델이 도움이 됩니다), ' +
        '아니면 중단하세요.'
      );
    }
    const avg = d.average === null ? '읽을 수 있는 점수 없음' : `평가 ${d.valid}개 평균 ${d.average}/10`;
    const unread = d.total > d.valid ? ` (${d.total - d.valid}개 판독 불가)` : '';
    const next = {
      selected: '기획자들이 이어받습니다.',
      rejected: '아이디어를 보류합니다.',
      needs_refinement: '평가자들의 리스크와 조건을 다루는 라운드를 한 번 더 진행합니다.',
    }[d.outcome];
    return `결과: ${ko.outcome[d.outcome]} — ${avg}${unread}. ${next}`;
  },
};

export const LABELS: Record<Lang, Labels> = { en, ko };
